-- Everything here is on a table created by this same migration.
create table invoices (id bigint generated always as identity primary key, amount numeric(10, 2));
alter table invoices add column issued_at timestamptz not null default clock_timestamp();
alter table invoices add column customer_id bigint not null;
alter table invoices add constraint invoices_amount_positive check (amount > 0);
alter table invoices alter column amount set not null;
create index invoices_customer_id_idx on invoices (customer_id);
