-- given: create table users (id bigint primary key, email text);
-- given: alter table users add constraint users_email_not_null check (email is not null) not valid;
-- given: alter table users validate constraint users_email_not_null;
-- The CHECK was added and validated by earlier migrations.
alter table users alter column email set not null;
