-- orders exists before this migration.
alter table orders add column total numeric generated always as (price * quantity) stored;
