-- Bytes the front door received from a database's clients (issue #19): reported and shown, not priced.
alter table usage_records add column ingress_bytes bigint not null default 0;
alter table usage_hourly add column ingress_bytes bigint not null default 0;
