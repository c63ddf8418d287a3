-- given: create table users (id bigint primary key, code text);
-- text -> varchar(10) checks and rewrites every row.
alter table users alter column code type varchar(10);
