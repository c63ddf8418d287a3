-- given: create table orders (id bigint primary key, quantity integer);
alter table orders alter column quantity type bigint;
