-- Plan names are one name whatever their case (the API has refused "basic" next to "Basic" since the release of V9), but
-- only the API checked it: two creates at once could both pass the check. The database now decides. Plans made before
-- the check that differ only in case keep their ids and invoices; all but the oldest get their id appended to the name.
update price_plans p set name = p.name || ' (' || p.id || ')'
where exists (select 1 from price_plans q
              where lower(q.name) = lower(p.name) and (q.created_at, q.id) < (p.created_at, p.id));
create unique index price_plans_name_ignoring_case on price_plans (lower(name));
