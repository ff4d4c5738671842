package io.stratus.controlplane.databases;

/** Lifecycle of a database as tenants see it. */
public enum DatabaseState {
    PROVISIONING, RUNNING, SUSPENDED, DELETING, DELETED, FAILED
}
