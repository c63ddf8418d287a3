-- The table is created by this same migration: nobody uses it yet.
create table widgets (id bigint primary key, label varchar(20));
alter table widgets alter column label type bigint using 0;
