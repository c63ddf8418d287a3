-- events exists before this migration, without a primary key.
alter table events add primary key (id);
