-- users exists before this migration.
set lock_timeout = '2s';
set statement_timeout = '5s';
alter table users add column bio text;
