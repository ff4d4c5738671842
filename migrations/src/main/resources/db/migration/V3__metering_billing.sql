-- Usage metering, price plans, invoices and billing exports.
--
-- Hours are UTC hour starts. A usage record belongs to the hour its window lies in (usage_hour; agents never let a
-- window cross an hour boundary) and is billed in billing_hour: the same hour, or, when that hour was already closed
-- by an export, the first open hour at the time it arrived (late = true). Closed hours never change, so re-running
-- an export reproduces its files byte for byte.

create table usage_records (
    node_id              uuid           not null references nodes (id),
    seq                  bigint         not null,
    database_id          uuid           not null references databases (id),
    tenant_id            uuid           not null references tenants (id),
    window_start         timestamptz    not null,
    window_end           timestamptz    not null,
    usage_hour           timestamptz    not null,
    billing_hour         timestamptz    not null,
    late                 boolean        not null default false,
    requests             bigint         not null check (requests >= 0),
    rows_read            bigint         not null check (rows_read >= 0),
    rows_written         bigint         not null check (rows_written >= 0),
    cu_seconds           numeric(24, 6) not null check (cu_seconds >= 0),
    storage_bytes        bigint         not null check (storage_bytes >= 0),
    storage_byte_seconds numeric(30, 0) not null check (storage_byte_seconds >= 0),
    egress_bytes         bigint         not null check (egress_bytes >= 0),
    exact                boolean        not null,
    request_source       text           not null,
    received_at          timestamptz    not null,
    rolled_up            boolean        not null default false,
    -- Each record of each node is stored once: a redelivery after a lost acknowledgement is a no-op.
    primary key (node_id, seq),
    check (window_end >= window_start)
);
create index usage_records_pending on usage_records (billing_hour) where not rolled_up;
create index usage_records_database on usage_records (database_id, billing_hour);

-- Hourly roll-ups of usage_records by billing hour; the usage API, invoices and exports read only these.
create table usage_hourly (
    database_id          uuid           not null references databases (id),
    tenant_id            uuid           not null references tenants (id),
    hour                 timestamptz    not null,
    requests             bigint         not null,
    rows_read            bigint         not null,
    rows_written         bigint         not null,
    cu_seconds           numeric(24, 6) not null,
    storage_byte_seconds numeric(30, 0) not null,
    storage_bytes_max    bigint         not null,
    egress_bytes         bigint         not null,
    records              integer        not null,
    inexact_records      integer        not null,
    late_records         integer        not null,
    primary key (database_id, hour)
);
create index usage_hourly_tenant on usage_hourly (tenant_id, hour);

-- An hour is closed once an export covering it started; usage arriving later for it is billed in an open hour.
create table closed_hours (
    hour      timestamptz primary key,
    closed_at timestamptz not null
);

create table price_plans (
    id                         uuid primary key,
    name                       text           not null unique,
    currency                   char(3)        not null,
    price_per_million_requests numeric(20, 6) not null check (price_per_million_requests >= 0),
    price_per_cu_hour          numeric(20, 6) not null check (price_per_cu_hour >= 0),
    price_per_gb_month         numeric(20, 6) not null check (price_per_gb_month >= 0),
    price_per_gb_egress        numeric(20, 6) not null check (price_per_gb_egress >= 0),
    free_requests              bigint         not null check (free_requests >= 0),
    free_cu_hours              numeric(20, 6) not null check (free_cu_hours >= 0),
    free_gb_months             numeric(20, 6) not null check (free_gb_months >= 0),
    free_egress_gb             numeric(20, 6) not null check (free_egress_gb >= 0),
    created_at                 timestamptz    not null
);

alter table tenants add column plan_id uuid references price_plans (id);

create table billing_exports (
    period          text primary key,
    granularity     text        not null check (granularity in ('HOUR', 'DAY')),
    period_start    timestamptz not null,
    period_end      timestamptz not null,
    state           text        not null check (state in ('RUNNING', 'SUCCEEDED', 'FAILED')),
    runs            integer     not null default 0,
    row_count       bigint,
    manifest_sha256 text,
    error           text,
    instance        text,
    started_at      timestamptz,
    finished_at     timestamptz
);
