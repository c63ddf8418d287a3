-- users exists before this migration.
alter table users add constraint users_email_key unique (email);
