-- Backup storage metered by the control plane (issue 20, ADR 0022): the bytes a database's backups and archived WAL
-- occupy in the backup store, integrated over time, in the same hourly sums as the agents' usage.
alter table usage_hourly add column backup_byte_seconds numeric(30, 0) not null default 0
    check (backup_byte_seconds >= 0);

-- The last sample of each database's bytes in the store. A sample accrues the previous one's bytes for the seconds
-- between them and moves this row forward under its row lock, so no interval is ever accrued twice, whichever control
-- plane samples and however often.
create table backup_storage_samples (
    database_id uuid primary key references databases (id),
    tenant_id   uuid        not null references tenants (id),
    sampled_at  timestamptz not null,
    bytes       bigint      not null check (bytes >= 0)
);
create index backup_storage_samples_holding on backup_storage_samples (database_id) where bytes > 0;
