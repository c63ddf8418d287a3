-- The table is created by this same migration.
create table audit_log (id bigint primary key, actor_id bigint not null);
create index audit_log_actor_id_idx on audit_log (actor_id);
