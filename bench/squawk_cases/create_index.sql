-- orders exists before this migration.
create index orders_user_id_idx on orders (user_id);
