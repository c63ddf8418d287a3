-- users exists before this migration. A nullable column without default: metadata only.
alter table users add column bio text;
