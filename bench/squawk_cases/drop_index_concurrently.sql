-- The index exists before this migration.
drop index concurrently if exists orders_user_id_idx;
