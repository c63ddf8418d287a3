-- orders exists before this migration.
alter table orders add column public_id uuid default gen_random_uuid();
