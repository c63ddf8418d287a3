-- orders exists before this migration.
alter table orders add column score double precision default random();
