-- orders exists before this migration.
alter table orders add constraint orders_quantity_positive check (quantity > 0) not valid;
