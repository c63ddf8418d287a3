-- given: create table users (id bigint primary key, age text);
alter table users alter column age type integer using age::integer;
