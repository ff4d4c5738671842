package io.stratus.protocol;

import java.util.List;
import java.util.UUID;

/**
 * Everything a node should run. Computes not listed should not exist on the node.
 *
 * @param generation increases with every change to this node's desired state
 */
public record DesiredState(UUID nodeId, long generation, List<ComputeSpec> computes) {
}
