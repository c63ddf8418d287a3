-- users exists before this migration.
alter table users rename to customers;
