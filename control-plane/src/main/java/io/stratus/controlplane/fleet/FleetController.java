package io.stratus.controlplane.fleet;

import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.web.ApiException;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/nodes}: the fleet as the operator sees it. */
@RestController
@OperatorOnly
class FleetController {

    private final Fleet fleet;

    FleetController(Fleet fleet) {
        this.fleet = fleet;
    }

    @GetMapping("/v1/admin/nodes")
    List<Fleet.NodeView> list() {
        return fleet.list();
    }

    @GetMapping("/v1/admin/nodes/{id}")
    Fleet.NodeView get(@PathVariable UUID id) {
        return fleet.find(id).orElseThrow(() -> ApiException.notFound("node"));
    }
}
