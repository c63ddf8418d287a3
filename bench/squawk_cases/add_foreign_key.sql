-- orders and users exist before this migration.
alter table orders add constraint orders_user_id_fkey foreign key (user_id) references users (id);
