-- events exists before this migration, without a primary key.
alter table events add column id serial primary key;
