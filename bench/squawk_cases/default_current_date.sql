-- orders exists before this migration.
alter table orders add column seen_on date default current_date;
