-- given: create table users (id bigint primary key, name varchar(20));
-- varchar -> text is binary coercible: no rewrite.
alter table users alter column name type text;
