package io.stratus.agent.tasks;

import io.stratus.agent.computes.RunningCompute;
import java.util.Optional;
import java.util.UUID;

/** Whether a compute is on this node, and its postmaster when it runs: what a task needs to know before it starts. */
@FunctionalInterface
public interface ComputeLookup {

    /** Empty when the node has no such compute; else the compute, running or stopped. */
    Optional<Presence> find(UUID computeId);

    /** A compute on this node; {@code running} empty while it is stopped (suspended). */
    record Presence(Optional<RunningCompute> running) {
    }
}
