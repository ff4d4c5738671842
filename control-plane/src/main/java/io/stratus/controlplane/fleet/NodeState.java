package io.stratus.controlplane.fleet;

/** Whether a node takes new computes. */
public enum NodeState {
    READY, NOT_READY, CORDONED, DRAINING
}
