-- The index exists before this migration.
begin;
drop index concurrently orders_user_id_idx;
commit;
