-- given: create table invoices (id bigint primary key, amount numeric(10, 2));
-- More precision, same scale: no rewrite.
alter table invoices alter column amount type numeric(12, 2);
