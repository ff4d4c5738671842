package io.stratus.controlplane.operations;

/** What an operation changes. */
public enum OperationType {
    CREATE_DATABASE, DELETE_DATABASE, RESET_PASSWORD, SUSPEND_DATABASE, RESUME_DATABASE,
    /** A login role added to, or removed from, a database (applied when its compute next runs, if it sleeps). */
    CREATE_ROLE, DELETE_ROLE,
    /** A checkpoint on the database's compute, run as an agent task. */
    CHECKPOINT,
    /** A base backup of the database, run as an agent task (a hot one of a running compute, a cold copy of a suspended one). */
    BACKUP_DATABASE,
    /** A backup restored into a throwaway directory and checked, run as an agent task. */
    VERIFY_BACKUP,
    /** The creation of a new database from another's backup: succeeds, as a create does, when its compute runs. */
    RESTORE_DATABASE,
    /** A rolling update's restart of the database's compute onto a release or settings, run as an agent task. */
    ROLLING_UPDATE
}
