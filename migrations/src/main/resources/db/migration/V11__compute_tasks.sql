-- One-off work on a compute (a checkpoint; later backups, restores, release updates), delivered to its node with the
-- desired state while open, each tied to the operation a caller polls.
create table compute_tasks (
    id           uuid primary key,
    operation_id uuid        not null references operations (id),
    database_id  uuid        not null references databases (id),
    node_id      uuid        not null references nodes (id),
    type         text        not null,
    parameters   jsonb       not null,
    -- PENDING: not yet reported by the node; RUNNING; SUCCEEDED; FAILED (reason_code says why).
    state        text        not null,
    progress     integer     not null default 0,
    reason_code  text,
    message      text,
    result       jsonb,
    deadline     timestamptz not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    finished_at  timestamptz
);
create index compute_tasks_open on compute_tasks (node_id) where state in ('PENDING', 'RUNNING');
create index compute_tasks_database on compute_tasks (database_id, created_at);
