-- Requests are metered on the wire by the front door now: computes no longer preload pg_stat_statements, unless the
-- tenant asks for it for its own query insight (issue #19).
alter table databases add column pg_stat_statements boolean not null default false;
