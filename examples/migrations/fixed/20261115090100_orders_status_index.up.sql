-- golang-migrate runs a one-statement file outside a transaction: CONCURRENTLY works.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status ON orders (status);
