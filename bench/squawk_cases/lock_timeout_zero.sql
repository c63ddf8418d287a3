-- users exists before this migration. A zero lock_timeout means "wait forever".
set lock_timeout = 0;
alter table users add column bio text;
