-- A tenant's plan is the latest row of tenant_plan_history (V6). tenants.plan_id repeated it: written with every
-- assignment, read by nothing but the assignment itself, and free to disagree with the history it duplicated.
alter table tenants drop column plan_id;
