-- A database made from another's backup: its compute spec carries where its data comes from (RestoreSpec) until the
-- agent has built its data directory.
alter table databases
    add column restore_source_database_id uuid references databases (id),
    add column restore_backup_id          uuid references backups (id),
    add column restore_target_time        timestamptz,
    add column restore_source_name        text,
    add column restore_source_owner_role  text;
