-- events exists before this migration.
alter table events add column seq bigint generated always as identity;
