-- The index exists before this migration.
drop index orders_user_id_idx;
