package io.stratus.controlplane.fleet;

import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/nodes}: the fleet as the operator sees it. */
@RestController
@OperatorOnly
@Tag(name = "Fleet", description = "The data-plane nodes, as the operator sees them.")
class FleetController {

    private final Fleet fleet;

    FleetController(Fleet fleet) {
        this.fleet = fleet;
    }

    @GetMapping("/v1/admin/nodes")
    @Operation(operationId = "listNodes", summary = "List nodes", description = """
            Every node of the fleet: its address, zone, capacity and the CU its databases hold of it (`heldCu`), \
            state, CU enforcement, Postgres releases, desired and observed generations, last heartbeat, and the \
            ports of its compute range another process held at the agent's last report. Operator key only.""")
    List<Fleet.NodeView> list() {
        return fleet.list();
    }

    @GetMapping("/v1/admin/nodes/{id}")
    @Operation(operationId = "getNode", summary = "Get a node", description = """
            One node, as in the list. Operator key only.""")
    Fleet.NodeView get(@PathVariable UUID id) {
        return fleet.find(id).orElseThrow(() -> ApiException.notFound("node"));
    }
}
