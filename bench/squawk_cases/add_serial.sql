-- events exists before this migration.
alter table events add column seq bigserial;
