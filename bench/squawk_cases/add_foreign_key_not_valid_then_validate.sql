-- orders and users exist before this migration. Validation in a later statement.
alter table orders add constraint orders_user_id_fkey foreign key (user_id) references users (id) not valid;
alter table orders validate constraint orders_user_id_fkey;
