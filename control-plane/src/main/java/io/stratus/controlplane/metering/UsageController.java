package io.stratus.controlplane.metering;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
import io.swagger.v3.oas.annotations.Operation;
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

/**
 * Usage of a database or a whole tenant, from the hourly roll-ups. A tenant's keys see their own tenant and databases
 * (also deleted ones); other tenants' ids are 404; the operator sees everything.
 */
@RestController
@Tag(name = "Usage", description = "Metered usage of a database or a tenant, from the hourly roll-ups.")
class UsageController {

    /** A year and a leap day: enough for any yearly report, small enough to bound the hourly scan. */
    private static final Duration MAX_RANGE = Duration.ofDays(366);
    private static final Duration DEFAULT_RANGE = Duration.ofHours(24);
    private static final String REQUEST_SOURCE = "front-door";

    private final UsageQueries queries;
    private final TenantDirectory tenants;
    private final DatabaseDirectory databases;
    private final Clock clock;

    UsageController(UsageQueries queries, TenantDirectory tenants, DatabaseDirectory databases, Clock clock) {
        this.queries = queries;
        this.tenants = tenants;
        this.databases = databases;
        this.clock = clock;
    }

    @GetMapping("/v1/databases/{id}/usage")
    @Operation(operationId = "getDatabaseUsage", summary = "Get a database's usage", description = """
            The database's usage (a deleted one's too) in hourly or daily buckets: requests, rows read and written, \
            CU-seconds and CU-hours, storage and egress, and backup storage (its backups and archived WAL in the \
            backup store, sampled by the control plane). `from`/`to`: ISO-8601 instants on a UTC hour (`hour`) or \
            day (`day`) start, `to` exclusive, at most 366 days apart; by default the aligned range that covers the \
            last 24 hours. Only buckets with usage appear, oldest first; an hour closed by a billing export never \
            changes. Any key of the database's tenant, or the operator key.""")
    UsageViews.UsageSeries database(Caller caller, @PathVariable UUID id, @RequestParam(required = false) String from,
                                    @RequestParam(required = false) String to,
                                    @RequestParam(required = false) String granularity) {
        UUID tenant = databases.tenantOf(id).filter(caller::canSee)
                .orElseThrow(() -> ApiException.notFound("database"));
        return series(tenant, id, from, to, granularity);
    }

    @GetMapping("/v1/tenants/{id}/usage")
    @Operation(operationId = "getTenantUsage", summary = "Get a tenant's usage", description = """
            All the tenant's databases summed, deleted ones included, in the same buckets and with the same query as \
            a database's usage. Any key of the tenant, or the operator key.""")
    UsageViews.UsageSeries tenant(Caller caller, @PathVariable UUID id, @RequestParam(required = false) String from,
                                  @RequestParam(required = false) String to,
                                  @RequestParam(required = false) String granularity) {
        tenants.visibleTo(caller, id);
        return series(id, null, from, to, granularity);
    }

    private UsageViews.UsageSeries series(UUID tenant, UUID database, String fromParam, String toParam, String granularityParam) {
        Range range = range(fromParam, toParam, granularityParam);
        List<UsageViews.UsagePoint> points = queries.series(tenant, database, range.granularity(), range.from(), range.to())
                .stream().map(UsageViews.UsagePoint::of).toList();
        return new UsageViews.UsageSeries(range.from(), range.to(), range.granularity().wire(), points, REQUEST_SOURCE);
    }

    private record Range(Instant from, Instant to, Granularity granularity) {
    }

    /**
     * Parses and checks the query. Defaults: hourly; {@code to} the end of the current hour (day); {@code from} the
     * start of the hour (day) that was current 24 hours before {@code to}, or before now when {@code to} is not given:
     * the aligned range that covers the last 24 hours (25 hourly buckets, the last one still running; or two days).
     */
    private Range range(String fromParam, String toParam, String granularityParam) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        Granularity granularity = granularityParam == null ? Granularity.HOUR
                : Granularity.fromWire(granularityParam).orElse(null);
        if (granularity == null) {
            errors.add(new ApiException.FieldError("granularity", "must be hour or day"));
        }
        Instant from = QueryParams.instant("from", fromParam, errors);
        Instant to = QueryParams.instant("to", toParam, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        // The end of the time to cover: now, or the end asked for. Rounding it up to a bucket end must not move the
        // start: ceiling(now) - 24 h would leave out the part of the hour (day) 24 hours ago that has already passed.
        Instant end = to == null ? clock.instant() : to;
        if (to == null) {
            to = granularity.ceiling(end);
        }
        if (from == null) {
            // Never before the first instant a range may name (a `to` in year 1 would default `from` into year 0).
            Instant earliest = granularity.ceiling(QueryParams.EARLIEST);
            from = granularity.floor(end.minus(DEFAULT_RANGE));
            from = from.isBefore(earliest) ? earliest : from;
        }
        if (!granularity.aligned(from)) {
            errors.add(new ApiException.FieldError("from", "must be the start of a UTC " + granularity.wire()));
        }
        if (!granularity.aligned(to)) {
            errors.add(new ApiException.FieldError("to", "must be the start of a UTC " + granularity.wire()));
        }
        if (!from.isBefore(to)) {
            errors.add(new ApiException.FieldError("from", "must be before to"));
        } else if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            errors.add(new ApiException.FieldError("to", "the range must not exceed 366 days"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new Range(from, to, granularity);
    }
}
