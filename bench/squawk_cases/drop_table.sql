-- legacy_events exists before this migration.
drop table legacy_events;
