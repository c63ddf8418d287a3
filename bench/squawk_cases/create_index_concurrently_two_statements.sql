-- orders exists before this migration. Two statements, no BEGIN: whether this runs in a
-- transaction depends on the runner (--assume-in-transaction).
set lock_timeout = '2s';
create index concurrently orders_user_id_idx on orders (user_id);
