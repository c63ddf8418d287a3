-- orders exists before this migration.
alter table orders add column code text default billing.next_invoice_code();
