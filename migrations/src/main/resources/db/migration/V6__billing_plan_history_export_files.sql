-- Billing: who was on which plan when, and what each export wrote where.

-- Every plan assignment, kept so that an invoice of a month that has ended is priced by the plan in effect when the
-- month ended, even after the tenant moves to another plan (tenants.plan_id stays the current plan).
create table tenant_plan_history (
    tenant_id   uuid        not null references tenants (id),
    assigned_at timestamptz not null,
    plan_id     uuid        not null references price_plans (id),
    primary key (tenant_id, assigned_at)
);

-- Assignments made before this table existed count from now on.
insert into tenant_plan_history (tenant_id, assigned_at, plan_id)
select id, now(), plan_id from tenants where plan_id is not null;

-- The files of the last successful run ([{name, rows, sha256, bytes}], as in its manifest) and the directory they were
-- written to on the instance that ran it, so any control plane can answer for an export another one wrote.
alter table billing_exports
    add column files    jsonb,
    add column location text;
