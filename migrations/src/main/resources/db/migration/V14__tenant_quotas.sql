-- A tenant's quota of CU: the sum of its live databases' maxCu (null: no limit beyond the fleet's). Its database
-- count quota is max_databases.
alter table tenants add column max_total_cu numeric(12, 2);
