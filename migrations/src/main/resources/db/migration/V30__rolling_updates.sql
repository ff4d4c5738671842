-- Rolling updates (issue 21): the release a compute reports running, the operator's Postgres settings per database,
-- the fleet's default release for new databases, maintenance windows, and rolling updates with one item per database.

-- The full version the agent last reported the compute running (or stopped) on, e.g. 15.18; null until reported.
alter table databases add column running_release text;
-- Postgres settings the operator set for the compute (a rolling update's target), a JSON object of name -> value;
-- only names of the control plane's allow-list.
alter table databases add column pg_settings text not null default '{}';

-- Fleet-wide values the operator's actions set, e.g. default_release once a rolling update to a release completes.
create table fleet_settings (
    name       text primary key,
    value      text        not null,
    updated_at timestamptz not null
);

-- When a database's compute may be restarted by a rolling update that respects windows (UTC).
create table maintenance_windows (
    database_id      uuid primary key references databases (id),
    day_of_week      text        not null check (day_of_week in ('MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN')),
    start_time       time        not null,
    duration_minutes integer     not null check (duration_minutes between 1 and 1440),
    updated_at       timestamptz not null
);

create table rolling_updates (
    id                  uuid primary key,
    -- RUNNING, PAUSED, ABORTING, ABORTED, COMPLETED, ROLLING_BACK, ROLLED_BACK
    state               text        not null,
    target_release      text,
    target_settings     text,
    selector            text        not null,
    canary              integer     not null check (canary >= 0),
    max_unavailable     integer     not null check (max_unavailable >= 1),
    failure_threshold   integer     not null check (failure_threshold >= 1),
    respect_windows     boolean     not null,
    pause_reason        text,
    -- Failures the operator resumed past: only failures beyond these count against the threshold.
    acknowledged_failures integer   not null default 0,
    created_by          text,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    finished_at         timestamptz
);
-- The driver's scan: only updates with work left.
create index rolling_updates_active on rolling_updates (created_at)
    where state in ('RUNNING', 'PAUSED', 'ABORTING', 'ROLLING_BACK');

create table rolling_update_items (
    update_id      uuid        not null references rolling_updates (id),
    database_id    uuid        not null references databases (id),
    position       integer     not null,
    canary         boolean     not null,
    node_id        uuid,
    -- What the database asked for and ran before the update, and what it went to.
    from_release   text,
    from_running   text,
    from_settings  text,
    to_release     text,
    -- The full version the compute ended on (the target, or the release it was rolled back to).
    ended_on       text,
    -- PENDING, UPDATING, UPDATED, FAILED, SKIPPED, REVERTING, REVERTED
    state          text        not null,
    task_id        uuid,
    spec_version   bigint,
    downtime_ms    bigint,
    error          text,
    started_at     timestamptz,
    finished_at    timestamptz,
    primary key (update_id, database_id)
);
create index rolling_update_items_order on rolling_update_items (update_id, position);
-- A database is in at most one unfinished update: two would fight over its release.
create unique index rolling_update_items_one_open on rolling_update_items (database_id)
    where state in ('PENDING', 'UPDATING', 'REVERTING');
