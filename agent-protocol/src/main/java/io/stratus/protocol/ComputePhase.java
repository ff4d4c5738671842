package io.stratus.protocol;

/** Lifecycle of a compute on a host. */
public enum ComputePhase {
    /** Being created or started. */
    STARTING,
    /** Postmaster up and accepting the owner's login. */
    RUNNING,
    /** Stopped on purpose (suspended); data kept. */
    STOPPED,
    /** The agent could not bring it to its desired state; see the message. */
    FAILED
}
