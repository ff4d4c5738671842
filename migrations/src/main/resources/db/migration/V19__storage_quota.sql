-- A tenant's storage quota: the most its live databases may store together (pg_database_size), in bytes; null: none.
-- It is held on disk by the agents (ADR 0018): a compute at its share is made read-only.
alter table tenants add column max_storage_bytes bigint check (max_storage_bytes >= 0);

-- What the agent last measured for a database held to a storage limit, and whether it made the compute read-only for
-- it. Null stored_bytes: never measured (no limit yet, or suspended since before one was set).
alter table databases add column stored_bytes bigint check (stored_bytes >= 0);
alter table databases add column storage_limited boolean not null default false;
