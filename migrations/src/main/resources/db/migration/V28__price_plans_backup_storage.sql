-- Backup storage priced by plans (issue 20, ADR 0022): per GB-month, with a free allowance. Plans made before cost 0.
alter table price_plans
    add column price_per_gb_month_backup numeric(20, 6) not null default 0 check (price_per_gb_month_backup >= 0),
    add column free_backup_gb_months     numeric(20, 6) not null default 0 check (free_backup_gb_months >= 0);
