-- A tenant's login roles besides the owner (issue #23): read-only or read-write, each with a SCRAM verifier (the
-- password is returned once and never stored). Part of the database's spec: a change bumps its spec version.
create table database_roles (
    id          uuid primary key,
    database_id uuid        not null references databases (id),
    name        text        not null,
    verifier    text        not null,
    read_only   boolean     not null,
    created_at  timestamptz not null,
    unique (database_id, name)
);
