-- Capacity and scale to zero: per-database suspend timeout, enforcement as observed, activity, scaling events and
-- recent load samples.

alter table databases
    add column suspend_timeout_seconds integer     not null default 300,
    add column enforcement             text        not null default 'none',
    add column applied_cu              numeric(6, 2),
    add column last_active_at          timestamptz,
    add column cu_changed_at           timestamptz;

create table scaling_events (
    id          uuid primary key,
    database_id uuid          not null references databases (id),
    tenant_id   uuid          not null references tenants (id),
    at          timestamptz   not null,
    from_cu     numeric(6, 2) not null,
    to_cu       numeric(6, 2) not null,
    reason      text          not null,
    metrics     jsonb
);
create index scaling_events_database on scaling_events (database_id, at);

-- Recent samples for charts; kept for a day (see MetricsRetention).
create table compute_samples (
    database_id        uuid             not null references databases (id),
    at                 timestamptz      not null,
    cu                 numeric(6, 2)    not null,
    cpu_cores          double precision not null,
    throttled_fraction double precision not null,
    memory_bytes       bigint           not null,
    memory_limit_bytes bigint           not null,
    connections        integer          not null,
    tps                double precision not null,
    primary key (database_id, at)
);
