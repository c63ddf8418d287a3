-- users exists before this migration. A backfill in a migration of its own.
update users set status = 'active' where status is null and id between 1 and 10000;
