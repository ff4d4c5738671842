-- Keys may expire (set at issue, or by a rotation's grace period) and say when they were last used (written at most
-- about once a minute per key and control plane, not on every request).
alter table api_keys add column expires_at timestamptz;
alter table api_keys add column last_used_at timestamptz;
