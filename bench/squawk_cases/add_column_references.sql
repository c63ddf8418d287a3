-- orders and accounts exist before this migration. Inline REFERENCES on a new column.
alter table orders add column account_id bigint references accounts (id);
