package io.stratus.controlplane.fleet;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * What the databases placed on a node hold of its capacity, told by the feature that owns databases (fleet knows nodes,
 * not what runs on them).
 */
public interface NodeLoad {

    /** CU held on the node: running databases their current CU (at least their minCu), suspended ones their minCu. */
    BigDecimal heldCu(UUID nodeId);
}
