ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX CONCURRENTLY orders_public_id ON orders (public_id);
