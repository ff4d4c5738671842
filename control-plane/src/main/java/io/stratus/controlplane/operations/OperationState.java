package io.stratus.controlplane.operations;

/** Lifecycle of an operation. */
public enum OperationState {
    /** Accepted; waiting for a node. */
    PENDING,
    /** Sent to a node; waiting to observe the result. */
    RUNNING,
    /** The agent observed the desired result. */
    SUCCEEDED,
    /** Gave up; see {@code error}. */
    FAILED;

    public boolean isOpen() {
        return this == PENDING || this == RUNNING;
    }
}
