-- Ship order status, and rename total to amount while we are at it.
ALTER TABLE orders ADD COLUMN status text NOT NULL;
ALTER TABLE orders RENAME COLUMN total TO amount;
CREATE INDEX orders_status ON orders (status);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id);
