-- users exists before this migration.
create unique index users_email_idx on users (email);
