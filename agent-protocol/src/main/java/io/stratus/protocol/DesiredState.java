package io.stratus.protocol;

import java.util.List;
import java.util.UUID;

/**
 * Everything a node should run. Computes not listed should not exist on the node.
 *
 * @param generation increases with every change to this node's desired state
 * @param tasks      one-off work still open on the node's computes; null or absent from older control planes
 */
public record DesiredState(UUID nodeId, long generation, List<ComputeSpec> computes, List<TaskSpec> tasks) {

    public DesiredState {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
    }

    /** A desired state with no task. */
    public DesiredState(UUID nodeId, long generation, List<ComputeSpec> computes) {
        this(nodeId, generation, computes, List.of());
    }

    /** The same desired state with these tasks. */
    public DesiredState withTasks(List<TaskSpec> openTasks) {
        return new DesiredState(nodeId, generation, computes, openTasks);
    }
}
