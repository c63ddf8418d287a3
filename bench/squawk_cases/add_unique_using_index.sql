-- users and the unique index users_email_idx (built CONCURRENTLY earlier) exist.
alter table users add constraint users_email_key unique using index users_email_idx;
