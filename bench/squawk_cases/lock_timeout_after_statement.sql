-- users exists before this migration. The timeout comes too late.
alter table users add column bio text;
set lock_timeout = '2s';
