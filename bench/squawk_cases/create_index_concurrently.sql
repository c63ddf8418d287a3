-- orders exists before this migration.
create index concurrently orders_user_id_idx on orders (user_id);
