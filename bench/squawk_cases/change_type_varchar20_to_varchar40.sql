-- given: create table users (id bigint primary key, name varchar(20));
-- Widening a varchar is done in place (no rewrite).
alter table users alter column name type varchar(40);
