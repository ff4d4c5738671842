package io.stratus.controlplane.console;

import io.stratus.controlplane.autoscaling.ScalingHistory;
import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.databases.DatabaseState;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.metering.Granularity;
import io.stratus.controlplane.metering.UsageQueries;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.swagger.v3.oas.annotations.Hidden;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Databases: every tenant's, filterable, kept live by htmx; a database's page with its CU over time (the metrics API's
 * series, with the scaling events marked), its connections, operations and usage.
 */
@Controller
@Hidden
class DatabasePages {

    /** The chart's ranges, in minutes; the metrics API keeps a day of samples. */
    static final List<Integer> RANGES = List.of(15, 60, 360, 1440);
    private static final int MAX_POINTS = 2000;

    private final DatabaseProvisioning databases;
    private final TenantDirectory tenants;
    private final Fleet fleet;
    private final Operations operations;
    private final ScalingHistory history;
    private final UsageQueries usage;
    private final Clock clock;

    DatabasePages(DatabaseProvisioning databases, TenantDirectory tenants, Fleet fleet, Operations operations,
                  ScalingHistory history, UsageQueries usage, Clock clock) {
        this.databases = databases;
        this.tenants = tenants;
        this.fleet = fleet;
        this.operations = operations;
        this.history = history;
        this.usage = usage;
        this.clock = clock;
    }

    @GetMapping("/console/databases")
    String list(@RequestParam(defaultValue = "") String state, @RequestParam(required = false) UUID tenant,
                @RequestParam(required = false) UUID node, @RequestParam(defaultValue = "") String q,
                @RequestParam(defaultValue = "0") int page, Model model) {
        listModel(state, tenant, node, q, page, model);
        model.addAttribute("nodes", fleet.list());
        model.addAttribute("tenants", tenants.list());
        model.addAttribute("states", Arrays.stream(DatabaseState.values()).map(Enum::name).toList());
        return "console/databases";
    }

    @GetMapping("/console/databases/rows")
    String rows(@RequestParam(defaultValue = "") String state, @RequestParam(required = false) UUID tenant,
                @RequestParam(required = false) UUID node, @RequestParam(defaultValue = "") String q,
                @RequestParam(defaultValue = "0") int page, Model model) {
        listModel(state, tenant, node, q, page, model);
        return "console/databases :: rows";
    }

    private void listModel(String state, UUID tenant, UUID node, String q, int page, Model model) {
        DatabaseState s = Arrays.stream(DatabaseState.values()).filter(v -> v.name().equals(state)).findFirst()
                .orElse(null);
        var result = databases.listAll(DatabaseProvisioning.Filter.of(tenant, node, s, q), Math.max(0, page),
                FleetPages.PAGE_SIZE);
        model.addAttribute("databases", result);
        model.addAttribute("pages", Pages.of(result.page(), result.size(), result.total()));
        model.addAttribute("state", s == null ? "" : s.name());
        model.addAttribute("tenant", tenant);
        model.addAttribute("node", node);
        model.addAttribute("q", q);
        model.addAttribute("tenantNames", tenantNames());
        model.addAttribute("nodeNames", nodeNames());
        model.addAttribute("query", "state=" + (s == null ? "" : s.name()) + "&tenant=" + (tenant == null ? "" : tenant)
                + "&node=" + (node == null ? "" : node) + "&q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
    }

    @GetMapping("/console/databases/{id}")
    String database(@PathVariable UUID id, @RequestParam(defaultValue = "15") int minutes, Model model) {
        statusModel(id, model);
        model.addAttribute("minutes", RANGES.contains(minutes) ? minutes : 15);
        model.addAttribute("ranges", RANGES);
        model.addAttribute("operations", operations.list(java.util.Set.of(), id, 0, 20));
        Instant to = clock.instant().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        var tenantId = ((DatabaseProvisioning.TenantDatabase) model.getAttribute("db")).tenantId();
        List<UsageQueries.Bucket> hours = usage.series(tenantId, id, Granularity.HOUR, to.minus(25, ChronoUnit.HOURS), to);
        model.addAttribute("usage", newestFirst(hours));
        return "console/database";
    }

    /** The live parts of a database's page: its state, CU, connections now and its latest scaling events. */
    @GetMapping("/console/databases/{id}/live")
    String live(@PathVariable UUID id, Model model) {
        statusModel(id, model);
        return "console/database :: live";
    }

    private void statusModel(UUID id, Model model) {
        DatabaseProvisioning.TenantDatabase db = databases.getAny(id);
        model.addAttribute("db", db);
        model.addAttribute("tenantName", tenants.find(db.tenantId()).map(TenantDirectory.TenantView::name).orElse("?"));
        model.addAttribute("nodeName", db.database().node() == null ? null : nodeNames().get(db.database().node()));
        Instant now = clock.instant();
        List<ScalingHistory.Point> recent = history.series(id, now.minus(Duration.ofMinutes(2)), now.plusSeconds(1), 1, 1000);
        model.addAttribute("latest", recent.isEmpty() ? null : recent.get(recent.size() - 1));
        List<ScalingHistory.ScalingEvent> events = history.events(id, Instant.EPOCH, now.plusSeconds(1), 50);
        model.addAttribute("events", newestFirst(events));
    }

    /** The chart's data: the metrics API's series for the range and the scaling events in it. */
    @GetMapping(value = "/console/databases/{id}/series", produces = "application/json")
    @ResponseBody
    Map<String, Object> series(@PathVariable UUID id, @RequestParam(defaultValue = "15") int minutes) {
        databases.getAny(id);
        int range = RANGES.contains(minutes) ? minutes : 15;
        Instant to = clock.instant().plusSeconds(1);
        Instant from = to.minus(Duration.ofMinutes(range));
        long bucket = Math.max(1, (range * 60L + MAX_POINTS - 1) / MAX_POINTS);
        var points = history.series(id, from, to, bucket, MAX_POINTS).stream()
                .map(p -> Map.<String, Object>of("t", p.at().toEpochMilli(), "cu", p.cu(), "cpu", p.cpuCores(),
                        "connections", p.connections()))
                .toList();
        var events = history.events(id, from, to, 1000).stream()
                .map(e -> Map.<String, Object>of("t", e.at().toEpochMilli(), "fromCu", e.fromCu(), "toCu", e.toCu(),
                        "reason", e.reason()))
                .toList();
        return Map.of("from", from.toEpochMilli(), "to", to.toEpochMilli(), "points", points, "events", events);
    }

    private Map<UUID, String> tenantNames() {
        return tenants.list().stream().collect(Collectors.toMap(TenantDirectory.TenantView::id,
                TenantDirectory.TenantView::name, (a, b) -> a, HashMap::new));
    }

    private Map<UUID, String> nodeNames() {
        return fleet.list().stream().collect(Collectors.toMap(Fleet.NodeView::id, Fleet.NodeView::name,
                (a, b) -> a, HashMap::new));
    }

    private static <T> List<T> newestFirst(List<T> oldestFirst) {
        List<T> copy = new java.util.ArrayList<>(oldestFirst);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
