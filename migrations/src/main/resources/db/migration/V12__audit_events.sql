-- Who changed what, when, and how it went: one row per change request (and refused attempt) on /v1. Never a body,
-- never a secret: ids, the route, the status.
create table audit_events (
    id          uuid primary key,
    at          timestamptz not null,
    actor       text        not null,  -- 'operator' or 'api-key'
    key_id      uuid,                  -- the API key that made it (null for a configured operator key)
    tenant_id   uuid,                  -- whose it is: the caller's tenant, or the tenant an operator acted on
    action      text        not null,  -- method and route, e.g. 'POST /v1/databases/{id}/suspend'
    target_id   text,                  -- the id in the route, else the one the answer points to (Location)
    status      integer     not null,  -- the HTTP status it got
    request_id  text        not null
);
create index audit_events_at on audit_events (at);
create index audit_events_tenant_at on audit_events (tenant_id, at);
