-- orders exists before this migration. A schema-qualified volatile function.
alter table orders add column public_id uuid default public.gen_random_uuid();
