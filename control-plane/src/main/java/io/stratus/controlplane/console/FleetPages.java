package io.stratus.controlplane.console;

import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.databases.DatabaseState;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.fleet.NodeState;
import io.stratus.controlplane.operations.OperationState;
import io.stratus.controlplane.operations.Operations;
import io.swagger.v3.oas.annotations.Hidden;
import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The console's front page (the fleet at a glance) and the operations list, both refreshed live by htmx. */
@Controller
@Hidden
class FleetPages {

    static final int PAGE_SIZE = 25;
    private static final Set<OperationState> OPEN = EnumSet.of(OperationState.PENDING, OperationState.RUNNING);

    private final Fleet fleet;
    private final DatabaseProvisioning databases;
    private final Operations operations;
    private final java.time.Clock clock;

    FleetPages(Fleet fleet, DatabaseProvisioning databases, Operations operations, java.time.Clock clock) {
        this.clock = clock;
        this.fleet = fleet;
        this.databases = databases;
        this.operations = operations;
    }

    /** A node's row: the node, its live databases, and whether it has no CU left to grant. */
    record NodeRow(Fleet.NodeView node, long databases, boolean full) {
    }

    @GetMapping("/console")
    String root() {
        return "redirect:/console/fleet";
    }

    @GetMapping("/console/login")
    String login() {
        return "console/login";
    }

    @GetMapping("/console/fleet")
    String fleet(Model model) {
        fleetModel(model);
        return "console/fleet";
    }

    @GetMapping("/console/fleet/live")
    String fleetLive(Model model) {
        fleetModel(model);
        return "console/fleet :: live";
    }

    private void fleetModel(Model model) {
        Map<java.util.UUID, Long> perNode = databases.liveDatabasesPerNode();
        List<NodeRow> rows = fleet.list().stream()
                .map(n -> new NodeRow(n, perNode.getOrDefault(n.id(), 0L), n.heldCu().compareTo(n.capacityCu()) >= 0))
                .toList();
        model.addAttribute("nodes", rows);
        model.addAttribute("readyNodes", rows.stream().filter(r -> r.node().state() == NodeState.READY).count());
        model.addAttribute("capacityCu", rows.stream().map(r -> r.node().capacityCu()).reduce(BigDecimal.ZERO, BigDecimal::add));
        model.addAttribute("heldCu", rows.stream().map(r -> r.node().heldCu()).reduce(BigDecimal.ZERO, BigDecimal::add));
        Map<DatabaseState, Long> byState = new LinkedHashMap<>();
        for (DatabaseState s : List.of(DatabaseState.RUNNING, DatabaseState.SUSPENDED, DatabaseState.PROVISIONING,
                DatabaseState.DELETING, DatabaseState.FAILED)) {
            byState.put(s, databases.listAll(DatabaseProvisioning.Filter.state(s), 0, 1).total());
        }
        model.addAttribute("databasesByState", byState);
        model.addAttribute("openOperations", operations.list(OPEN, null, 0, 1).total());
        model.addAttribute("slowOperations", operations.openSince(clock.instant().minusSeconds(60)).size());
        model.addAttribute("failedOperations", operations.list(EnumSet.of(OperationState.FAILED), null, 0, 1).total());
    }

    @GetMapping("/console/operations")
    String operations(@RequestParam(defaultValue = "") String state, @RequestParam(defaultValue = "0") int page,
                      Model model) {
        operationsModel(state, page, model);
        return "console/operations";
    }

    @GetMapping("/console/operations/rows")
    String operationRows(@RequestParam(defaultValue = "") String state, @RequestParam(defaultValue = "0") int page,
                         Model model) {
        operationsModel(state, page, model);
        return "console/operations :: rows";
    }

    private void operationsModel(String state, int page, Model model) {
        Set<OperationState> states = switch (state) {
            case "open" -> OPEN;
            case "PENDING", "RUNNING", "SUCCEEDED", "FAILED" -> EnumSet.of(OperationState.valueOf(state));
            default -> EnumSet.noneOf(OperationState.class);
        };
        var result = operations.list(states, null, Math.max(0, page), PAGE_SIZE);
        model.addAttribute("state", states.isEmpty() ? "" : state);
        model.addAttribute("operations", result);
        model.addAttribute("databaseNames", databases.names(result.items().stream()
                .map(Operations.OperationView::databaseId).filter(java.util.Objects::nonNull).distinct().toList()));
        model.addAttribute("pages", Pages.of(result.page(), result.size(), result.total()));
    }
}
