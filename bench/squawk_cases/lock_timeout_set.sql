-- users exists before this migration.
set lock_timeout = '2s';
alter table users add column bio text;
