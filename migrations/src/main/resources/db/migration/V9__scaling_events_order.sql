-- Events written in one decision share their instant (an out-of-memory kill and the scale-up it causes): the order
-- they were written in is their order. Ids are random, so a sequence tells it; existing rows get one in id order,
-- which is as good as any for rows that tie.
alter table scaling_events add column seq bigint generated always as identity;
create index scaling_events_database_order on scaling_events (database_id, at, seq);
drop index scaling_events_database;
