-- users exists before this migration. The CHECK is NOT VALID only: it proves nothing.
alter table users add constraint users_email_not_null check (email is not null) not valid;
alter table users alter column email set not null;
