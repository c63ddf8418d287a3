-- users exists before this migration.
alter table users alter column email set not null;
