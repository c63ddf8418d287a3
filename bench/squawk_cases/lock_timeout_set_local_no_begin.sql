-- users exists before this migration. SET LOCAL outside a transaction block has no effect
-- (PostgreSQL warns "SET LOCAL can only be used in transaction blocks").
set local lock_timeout = '2s';
alter table users add column bio text;
