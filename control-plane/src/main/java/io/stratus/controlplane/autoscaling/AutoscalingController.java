package io.stratus.controlplane.autoscaling;

import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Scaling events and load series of a tenant's database. */
@RestController
@Tag(name = "Autoscaling", description = "How a database's compute was scaled, and the load it was scaled by.")
class AutoscalingController {

    private static final int MAX_POINTS = 10_000;
    private static final int MAX_EVENTS = 10_000;

    private final DatabaseProvisioning databases;
    private final ScalingHistory history;
    private final Clock clock;

    AutoscalingController(DatabaseProvisioning databases, ScalingHistory history, Clock clock) {
        this.databases = databases;
        this.history = history;
        this.clock = clock;
    }

    /** {@code from}/{@code to}: ISO-8601 instants, default all of the database's history; the newest {@code limit}. */
    @GetMapping("/v1/databases/{id}/scaling-events")
    @Operation(operationId = "listScalingEvents", summary = "List a database's scaling events", description = """
            The newest `limit` (1 to 10000, 1000 by default) scaling events in [`from`, `to`) (ISO-8601 instants; \
            all of the database's history by default), oldest first: every autoscaler decision with the sample that \
            drove it, every cap by node capacity, every suspend and resume, every range change; also an out-of-memory \
            kill at the compute's limit, `held at maxCu` when the range holds a busy compute back, and the compute \
            made read-only at its storage limit or writable again (same CU before and after). Any key of the \
            tenant.""")
    @ApiResponse(responseCode = "200", description = "The events, oldest first.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    List<ScalingHistory.ScalingEvent> events(Caller caller, @PathVariable UUID id,
                                             @RequestParam(required = false) String from,
                                             @RequestParam(required = false) String to,
                                             @RequestParam(defaultValue = "1000") int limit) {
        databases.get(caller.tenant(), id);
        List<ApiException.FieldError> errors = new ArrayList<>();
        Instant start = QueryParams.instant("from", from, errors);
        Instant end = QueryParams.instant("to", to, errors);
        if (limit < 1 || limit > MAX_EVENTS) {
            errors.add(new ApiException.FieldError("limit", "must be between 1 and " + MAX_EVENTS));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        start = start == null ? QueryParams.EARLIEST : start;
        end = end == null ? QueryParams.LATEST : end;
        if (!start.isBefore(end)) {
            throw ApiException.invalid("from", "must be before to");
        }
        return history.events(id, start, end, limit);
    }

    /** {@code from}/{@code to}: ISO-8601 instants; default the last 15 minutes. */
    @GetMapping("/v1/databases/{id}/metrics")
    @Operation(operationId = "getDatabaseMetrics", summary = "Get a database's load series", description = """
            One point per sample (about one a second while the compute runs; none while it is suspended) in \
            [`from`, `to`) (ISO-8601 instants; the last 15 minutes by default): CU, CPU cores, throttled share, \
            memory and its limit, connections and TPS. A range longer than 10000 seconds is averaged into buckets \
            of ceil(range / 10000) seconds that keep the highest memory and connections, so a long chart keeps its \
            peaks. Any key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The points, oldest first.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    List<ScalingHistory.Point> metrics(Caller caller, @PathVariable UUID id, @RequestParam(required = false) String from,
                                       @RequestParam(required = false) String to) {
        databases.get(caller.tenant(), id);
        QueryParams.Range range = QueryParams.range(from, to, clock.instant(), Duration.ofMinutes(15));
        Instant start = range.from();
        Instant end = range.to();
        if (!start.isBefore(end)) {
            throw ApiException.invalid("from", "must be before to");
        }
        // Up to MAX_POINTS points: a longer range is averaged into buckets rather than cut short.
        long seconds = (Duration.between(start, end).toMillis() + 999) / 1000;
        long bucketSeconds = Math.max(1, (seconds + MAX_POINTS - 1) / MAX_POINTS);
        return history.series(id, start, end, bucketSeconds, MAX_POINTS);
    }
}
