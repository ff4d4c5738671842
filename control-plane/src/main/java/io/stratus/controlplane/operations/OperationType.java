package io.stratus.controlplane.operations;

/** What an operation changes. */
public enum OperationType {
    CREATE_DATABASE, DELETE_DATABASE, RESET_PASSWORD, SUSPEND_DATABASE, RESUME_DATABASE,
    /** A login role added to, or removed from, a database (applied when its compute next runs, if it sleeps). */
    CREATE_ROLE, DELETE_ROLE,
    /** A checkpoint on the database's compute, run as an agent task. */
    CHECKPOINT
}
