-- users exists before this migration.
alter table users drop column nickname;
