-- zerodown: phase=expand
-- A default keeps the running version's INSERTs working; the column is metadata only.
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
-- The foreign key is checked for new rows at once and validated later, without blocking.
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
