-- users exists before this migration.
alter table users add column tenant_id bigint not null;
