-- When a create under an Idempotency-Key last handed out a password (the create itself or a replay): a replay too soon
-- after it is told to wait instead of rotating the password someone may have just received (ADR 0003, amendment 2).
alter table idempotency_keys add column last_issued_at timestamptz;
update idempotency_keys set last_issued_at = created_at;
alter table idempotency_keys alter column last_issued_at set not null;
