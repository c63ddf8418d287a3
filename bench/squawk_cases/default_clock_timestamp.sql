-- orders exists before this migration.
alter table orders add column seen_at timestamptz default clock_timestamp();
