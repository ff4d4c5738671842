package io.stratus.controlplane.operations;

/** What an operation changes. */
public enum OperationType {
    CREATE_DATABASE, DELETE_DATABASE, RESET_PASSWORD, SUSPEND_DATABASE, RESUME_DATABASE
}
