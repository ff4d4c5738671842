package io.stratus.controlplane.operations;

/** What an operation changes. */
public enum OperationType {
    CREATE_DATABASE, DELETE_DATABASE, RESET_PASSWORD, SUSPEND_DATABASE, RESUME_DATABASE,
    /** A login role added to, or removed from, a database (applied when its compute next runs, if it sleeps). */
    CREATE_ROLE, DELETE_ROLE,
    /** A checkpoint on the database's compute, run as an agent task. */
    CHECKPOINT,
    /** A rolling update's restart of the database's compute onto a release or settings, run as an agent task. */
    ROLLING_UPDATE
}
