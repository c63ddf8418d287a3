-- orders exists before this migration. A schema-qualified STABLE function.
alter table orders add column seen_at timestamptz default pg_catalog.now();
