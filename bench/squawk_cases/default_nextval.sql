-- orders exists before this migration.
alter table orders add column ref bigint default nextval('orders_ref_seq');
