-- users exists before this migration.
alter table users rename column email to email_address;
