-- orders exists before this migration.
alter table orders add column status text default 'pending';
