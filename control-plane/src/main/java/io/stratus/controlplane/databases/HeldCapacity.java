package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.NodeLoad;
import java.math.BigDecimal;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Tells the fleet what the databases on a node hold of it, for the operator's node view. */
@Component
class HeldCapacity implements NodeLoad {

    private final DatabaseRepository databases;

    HeldCapacity(DatabaseRepository databases) {
        this.databases = databases;
    }

    @Override
    @Transactional(readOnly = true)
    public BigDecimal heldCu(UUID nodeId) {
        return databases.heldCu(nodeId);
    }
}
