package io.stratus.controlplane.autoscaling;

import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
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
