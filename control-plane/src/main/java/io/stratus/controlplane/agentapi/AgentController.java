package io.stratus.controlplane.agentapi;

import io.stratus.controlplane.autoscaling.Autoscaler;
import io.stratus.controlplane.databases.ComputeDesiredState;
import io.stratus.controlplane.databases.DatabaseRoutes;
import io.stratus.controlplane.databases.ObservedStateIngest;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.metering.UsageIngest;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.controlplane.web.ApiException;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.MetricsReport;
import io.stratus.protocol.NodeStatus;
import io.stratus.protocol.RegisterNodeRequest;
import io.stratus.protocol.RegisterNodeResponse;
import io.stratus.protocol.Route;
import io.stratus.protocol.UsageAck;
import io.stratus.protocol.UsageReport;
import io.swagger.v3.oas.annotations.Hidden;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agent protocol, {@code /agent/v1} (see {@link io.stratus.protocol}). Not in the API's OpenAPI document: it is
 * spoken only by this release's own agents, with a node credential, and its types are the shared protocol module's.
 */
@Hidden
@RestController
class AgentController {

    private static final int MAX_WAIT_SECONDS = 60;

    private final Fleet fleet;
    private final ComputeDesiredState desiredState;
    private final ObservedStateIngest ingest;
    private final Autoscaler autoscaler;
    private final UsageIngest usage;
    private final ComputeTasks tasks;
    private final DatabaseRoutes routes;

    AgentController(Fleet fleet, ComputeDesiredState desiredState, ObservedStateIngest ingest, Autoscaler autoscaler,
                    UsageIngest usage, ComputeTasks tasks, DatabaseRoutes routes) {
        this.routes = routes;
        this.autoscaler = autoscaler;
        this.usage = usage;
        this.tasks = tasks;
        this.fleet = fleet;
        this.desiredState = desiredState;
        this.ingest = ingest;
    }

    @PostMapping("/agent/v1/nodes")
    ResponseEntity<RegisterNodeResponse> register(@RequestBody RegisterNodeRequest request) {
        if (request.name() == null || request.name().isBlank() || request.address() == null
                || request.capacityCu() == null || request.capacityCu().signum() <= 0
                || request.frontDoorPort() <= 0 || request.frontDoorPort() > 65535) {
            throw ApiException.invalid("body", "name, address, capacityCu > 0 and a front-door port are required");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(fleet.register(request));
    }

    /** Long-poll: answers as soon as the node's generation passes {@code after}, or 204 after the wait. */
    @GetMapping("/agent/v1/nodes/{nodeId}/desired-state")
    ResponseEntity<DesiredState> desiredState(@PathVariable UUID nodeId, @RequestParam(defaultValue = "0") long after,
                                              @RequestParam(defaultValue = "25") int waitSeconds) {
        int wait = Math.max(0, Math.min(waitSeconds, MAX_WAIT_SECONDS));
        long generation = fleet.awaitGenerationAfter(nodeId, after, wait * 1000L);
        if (generation <= after) {
            return ResponseEntity.noContent().build();
        }
        // Tasks are keyed by id, not by generation: read apart from the computes' snapshot, a task queued in between
        // arrives one poll early, which is harmless.
        return ResponseEntity.ok(desiredState.forNode(nodeId).withTasks(tasks.openFor(nodeId)));
    }

    @PostMapping("/agent/v1/nodes/{nodeId}/metrics")
    ResponseEntity<Void> metrics(@PathVariable UUID nodeId, @RequestBody MetricsReport report) {
        requireOwnReport(nodeId, report.nodeId(), "samples", report.samples());
        autoscaler.onMetrics(nodeId, report);
        return ResponseEntity.noContent().build();
    }

    /** Usage records from the agent's spool; the ack lets the agent drop them (see {@link UsageIngest}). */
    @PostMapping("/agent/v1/nodes/{nodeId}/usage")
    UsageAck usage(@PathVariable UUID nodeId, @RequestBody UsageReport report) {
        return usage.ingest(nodeId, report);
    }

    @PostMapping("/agent/v1/nodes/{nodeId}/status")
    ResponseEntity<Void> status(@PathVariable UUID nodeId, @RequestBody NodeStatus status) {
        requireOwnReport(nodeId, status.nodeId(), "computes", status.computes());
        ingest.apply(nodeId, status);
        if (status.tasks() != null) {
            tasks.ingest(nodeId, status.tasks());
        }
        return ResponseEntity.noContent().build();
    }

    /** Where a front door sends a connection for {@code endpoint}: any node may ask about any database (it relays). */
    @GetMapping("/agent/v1/nodes/{nodeId}/routes/{endpoint}")
    Route route(@PathVariable UUID nodeId, @PathVariable String endpoint) {
        return routes.route(endpoint).orElseThrow(() -> ApiException.notFound("endpoint"));
    }

    /** A connection waits for the endpoint's database: resume it if it is suspended (idempotent). */
    @PostMapping("/agent/v1/nodes/{nodeId}/routes/{endpoint}/wake")
    Route wake(@PathVariable UUID nodeId, @PathVariable String endpoint) {
        return routes.wake(endpoint).orElseThrow(() -> ApiException.notFound("endpoint"));
    }

    /**
     * A report names the node of its path and carries its list (an empty one says "nothing", a missing one is a
     * broken agent): anything else is refused whole, before any of it is applied. Unknown fields stay tolerated (see
     * {@link AgentReportsTolerateNewFields}).
     */
    private static void requireOwnReport(UUID pathNode, UUID reportedNode, String listField, Object list) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        if (reportedNode == null) {
            errors.add(new ApiException.FieldError("nodeId", "is required"));
        } else if (!reportedNode.equals(pathNode)) {
            errors.add(new ApiException.FieldError("nodeId", "must be the node of the path"));
        }
        if (list == null) {
            errors.add(new ApiException.FieldError(listField, "is required"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
