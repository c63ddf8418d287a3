-- users exists before this migration.
begin;
set local lock_timeout = '2s';
alter table users add column bio text;
commit;
