package io.stratus.controlplane.fleet;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.ApiException;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/nodes}: the fleet as the operator sees it. */
@RestController
class FleetController {

    private final Fleet fleet;

    FleetController(Fleet fleet) {
        this.fleet = fleet;
    }

    @GetMapping("/v1/admin/nodes")
    List<Fleet.NodeView> list(Caller caller) {
        caller.requireOperator();
        return fleet.list();
    }

    @GetMapping("/v1/admin/nodes/{id}")
    Fleet.NodeView get(Caller caller, @PathVariable UUID id) {
        caller.requireOperator();
        return fleet.find(id).orElseThrow(() -> ApiException.notFound("node"));
    }
}
