-- users exists before this migration. The CHECK is validated before SET NOT NULL.
alter table users add constraint users_email_not_null check (email is not null) not valid;
alter table users validate constraint users_email_not_null;
alter table users alter column email set not null;
alter table users drop constraint users_email_not_null;
