-- orders exists before this migration.
begin;
create index concurrently orders_user_id_idx on orders (user_id);
commit;
