-- Managed backups (issue 20): a policy per database (a Quartz trigger each), and every backup taken, with what its
-- agent task reported and what verification found.
create table backup_policies (
    database_id    uuid primary key references databases (id),
    tenant_id      uuid        not null references tenants (id),
    -- A 5-field Unix cron, in UTC, as the tenant gave it.
    schedule       text        not null,
    retention_days integer     not null check (retention_days between 1 and 3650),
    updated_at     timestamptz not null
);

create table backups (
    id                     uuid primary key,
    tenant_id              uuid        not null references tenants (id),
    database_id            uuid        not null references databases (id),
    operation_id           uuid        not null references operations (id),
    task_id                uuid        not null references compute_tasks (id),
    -- MANUAL (the API) or SCHEDULED (the policy's trigger, at scheduled_for).
    trigger                text        not null check (trigger in ('MANUAL', 'SCHEDULED')),
    scheduled_for          timestamptz,
    state                  text        not null check (state in ('RUNNING', 'SUCCEEDED', 'FAILED', 'VERIFIED', 'EXPIRED')),
    reason_code            text,
    message                text,
    created_at             timestamptz not null,
    -- From the task's result: hot (a running compute) or cold (a suspended one's data directory at rest).
    method                 text,
    started_at             timestamptz,
    -- When the backup became consistent: the earliest instant a restore from it can target.
    stopped_at             timestamptz,
    finished_at            timestamptz,
    size_bytes             bigint,
    files                  integer,
    release                text,
    timeline               bigint,
    start_lsn              text,
    stop_lsn               text,
    start_wal              text,
    stop_wal               text,
    manifest_key           text,
    expired_at             timestamptz,
    -- When retention deleted an expired backup's objects from the store (null: still to do).
    store_deleted_at       timestamptz,
    -- The last verification: RUNNING, SUCCEEDED or FAILED (verification_reason says why).
    verification_state     text check (verification_state in ('RUNNING', 'SUCCEEDED', 'FAILED')),
    verification_task_id   uuid references compute_tasks (id),
    verification_reason    text,
    verification_message   text,
    verification_result    jsonb,
    verification_started_at timestamptz,
    verified_at            timestamptz,
    -- A good backup has what a restore needs: never SUCCEEDED or VERIFIED without its manifest and stop point.
    check (state not in ('SUCCEEDED', 'VERIFIED') or (manifest_key is not null and stopped_at is not null
        and start_wal is not null))
);
create index backups_database on backups (database_id, created_at desc);
create index backups_task on backups (task_id);
create index backups_verification_task on backups (verification_task_id) where verification_task_id is not null;
-- One backup at a time per database; and one firing of a schedule makes one backup, whichever control plane runs it.
create unique index backups_one_running on backups (database_id) where state = 'RUNNING';
create unique index backups_one_per_firing on backups (database_id, scheduled_for) where scheduled_for is not null;
