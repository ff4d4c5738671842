package io.stratus.controlplane.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.Role;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.testing.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SimpleTrigger;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/databases/{id}/usage} and {@code GET /v1/tenants/{id}/usage}: sums by hour and day from the roll-up,
 * tenant isolation, and refusal of ranges that do not fit the granularity.
 */
class UsageApiTests extends MeteringTest {

    private static final Duration HOUR = Duration.ofHours(1);

    @Autowired
    Scheduler scheduler;

    @Autowired
    UsageQueries queries;

    @Autowired
    TenantDirectory tenants;

    @Autowired
    DatabaseDirectory ownership;

    private String dbPath(String db) {
        return "/v1/databases/" + db + "/usage";
    }

    private String tenantPath(String t) {
        return "/v1/tenants/" + t + "/usage";
    }

    @Test
    void rollupJobMakesRecordsVisibleInHourlyAndDailySeries() throws Exception {
        String db = database("metered");
        Instant h1 = day.plus(HOUR);
        Instant h5 = day.plus(HOUR.multipliedBy(5));
        Instant nextDay = day.plus(Duration.ofDays(1));
        var r = postUsage(List.of(rec(1, db, h1, 10), rec(2, db, h1.plusSeconds(10), 20), rec(3, db, h5, 5).inexact(),
                rec(4, db, nextDay, 7)));
        assertThat(r.status()).isEqualTo(200);

        // The job runs on its interval; fire it now rather than wait for it.
        scheduler.triggerJob(MeteringScheduling.ROLLUP_JOB);
        JsonNode hourly = await().atMost(Duration.ofSeconds(15))
                .until(() -> usage(tenant.readKey(), dbPath(db), day, day.plus(Duration.ofDays(2)), "hour").json(),
                        h -> h.get("series").size() == 3);
        assertThat(hourly.get("granularity").asString()).isEqualTo("hour");
        assertThat(hourly.get("from").asString()).isEqualTo(day.toString());
        assertThat(hourly.get("requestSource").asString()).isEqualTo("front-door");
        JsonNode series = hourly.get("series");
        assertThat(series.findValuesAsString("start")).containsExactly(h1.toString(), h5.toString(), nextDay.toString());
        JsonNode first = series.get(0);
        assertThat(first.get("requests").asLong()).isEqualTo(30);
        assertThat(first.get("rowsRead").asLong()).isEqualTo(60);
        assertThat(first.get("rowsWritten").asLong()).isEqualTo(90);
        assertThat(first.get("cuSeconds").decimalValue()).isEqualByComparingTo("3");
        assertThat(first.get("cuHours").decimalValue()).isEqualByComparingTo("0.000833333");
        assertThat(first.get("storageByteSeconds").decimalValue()).isEqualByComparingTo("300000");
        // 300000 / (1e9 * 730 * 3600) = 1.14155...e-10 GB-months
        assertThat(first.get("storageGbMonths").decimalValue()).isEqualByComparingTo("0.000000000114");
        assertThat(first.get("storageBytesMax").asLong()).isEqualTo(1020);
        assertThat(first.get("egressBytes").asLong()).isEqualTo(210);
        assertThat(first.get("exact").asBoolean()).isTrue();
        assertThat(first.get("lateRecords").asLong()).isZero();
        assertThat(series.get(1).get("exact").asBoolean()).isFalse();

        JsonNode daily = usage(tenant.readKey(), dbPath(db), day, day.plus(Duration.ofDays(2)), "day").json();
        assertThat(daily.get("series").findValuesAsString("start")).containsExactly(day.toString(), nextDay.toString());
        assertThat(daily.get("series").findValuesAsString("requests")).containsExactly("35", "7");
        assertThat(daily.get("series").get(0).get("cuSeconds").decimalValue()).isEqualByComparingTo("4.5");
        assertThat(daily.get("series").get(0).get("exact").asBoolean()).isFalse();
        assertThat(daily.get("series").get(1).get("exact").asBoolean()).isTrue();
    }

    @Test
    void rollupJobIsScheduledAtTheConfiguredInterval() throws Exception {
        var trigger = (SimpleTrigger) scheduler.getTrigger(TriggerKey.triggerKey("usage-rollup", "metering"));
        assertThat(trigger).isNotNull();
        assertThat(trigger.getJobKey()).isEqualTo(MeteringScheduling.ROLLUP_JOB);
        assertThat(trigger.getRepeatInterval()).isEqualTo(Duration.ofSeconds(30).toMillis());
    }

    @Test
    void tenantUsageSumsAllItsDatabasesIncludingDeletedOnes() {
        String live = database("live");
        String deleted = database("deleted");
        assertThat(postUsage(List.of(rec(1, live, day, 3), rec(2, deleted, day.plusSeconds(30), 4))).status()).isEqualTo(200);
        ledger.rollUpPending();
        jdbc.update("update databases set state = 'DELETED', deleted_at = now() where id = ?::uuid", deleted);

        JsonNode series = usage(tenant.readKey(), tenantPath(tenant.id()), day, day.plus(Duration.ofDays(1)), "hour").json().get("series");
        assertThat(series).hasSize(1);
        assertThat(series.get(0).get("requests").asLong()).isEqualTo(7);
        assertThat(series.get(0).get("storageBytesMax").asLong()).as("the largest single database").isEqualTo(1004);
        assertThat(usage(tenant.readKey(), dbPath(deleted), day, day.plus(Duration.ofDays(1)), "day").json()
                .get("series").get(0).get("requests").asLong()).isEqualTo(4);
    }

    @Test
    void anotherTenantsDatabaseUsageIsNotFound() {
        String db = database("private");
        TestTenant other = newTenant();
        Instant to = day.plus(Duration.ofDays(1));
        ApiClient.Response r = usage(other.adminKey(), dbPath(db), day, to, "hour");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(usage(other.readKey(), dbPath(UUID.randomUUID().toString()), day, to, "hour").status()).isEqualTo(404);
        assertThat(usage(tenant.readKey(), dbPath(db), day, to, "hour").status()).isEqualTo(200);
        assertThat(usage(OPERATOR_KEY, dbPath(db), day, to, "hour").status()).as("the operator reads any").isEqualTo(200);
        assertThat(api().get(null, dbPath(db)).status()).isEqualTo(401);
    }

    @Test
    void anotherTenantsUsageIsNotFound() {
        TestTenant other = newTenant();
        Instant to = day.plus(Duration.ofDays(1));
        assertThat(usage(other.adminKey(), tenantPath(tenant.id()), day, to, "day").status()).isEqualTo(404);
        assertThat(usage(other.readKey(), tenantPath(tenant.id()), day, to, "day").status()).isEqualTo(404);
        assertThat(usage(tenant.readKey(), tenantPath(tenant.id()), day, to, "day").status()).isEqualTo(200);
        assertThat(usage(OPERATOR_KEY, tenantPath(tenant.id()), day, to, "day").status()).isEqualTo(200);
        assertThat(usage(OPERATOR_KEY, tenantPath(UUID.randomUUID().toString()), day, to, "day").status()).isEqualTo(404);
    }

    @Test
    void unalignedFromIsRefused() {
        String db = database("unaligned");
        assertInvalid(usage(tenant.readKey(), dbPath(db), day.plus(Duration.ofMinutes(30)), day.plus(HOUR.multipliedBy(2)), "hour"), "from");
        // An hour start is not a day start.
        assertInvalid(usage(tenant.readKey(), dbPath(db), day.plus(HOUR), day.plus(Duration.ofDays(1)), "day"), "from");
        assertInvalid(usage(tenant.readKey(), tenantPath(tenant.id()), day, day.plus(Duration.ofMinutes(90)), "hour"), "to");
    }

    @Test
    void unknownGranularityIsRefused() {
        String db = database("weekly");
        assertInvalid(usage(tenant.readKey(), dbPath(db), day, day.plus(Duration.ofDays(7)), "week"), "granularity");
        assertInvalid(usage(tenant.readKey(), tenantPath(tenant.id()), day, day.plus(Duration.ofDays(7)), "HOURS"), "granularity");
    }

    @Test
    void emptyOrReversedOrOverlongRangeIsRefused() {
        String db = database("ranges");
        assertInvalid(usage(tenant.readKey(), dbPath(db), day, day, "hour"), "from");
        assertInvalid(usage(tenant.readKey(), dbPath(db), day.plus(HOUR), day, "hour"), "from");
        assertInvalid(usage(tenant.readKey(), dbPath(db), day, day.plus(Duration.ofDays(367)), "day"), "to");
        assertThat(usage(tenant.readKey(), dbPath(db), day, day.plus(Duration.ofDays(366)), "day").status()).isEqualTo(200);
        assertInvalid(api().get(tenant.readKey(), dbPath(db) + "?from=yesterday"), "from");
    }

    @Test
    void defaultRangeIsTheHoursCoveringTheLastDay() {
        String db = database("defaults");
        Instant before = Instant.now();
        JsonNode body = api().get(tenant.readKey(), dbPath(db)).json();
        Instant after = Instant.now();
        Instant to = Instant.parse(body.get("to").asString());
        Instant from = Instant.parse(body.get("from").asString());
        assertThat(body.get("granularity").asString()).isEqualTo("hour");
        assertThat(to).isAfterOrEqualTo(Instant.now().truncatedTo(ChronoUnit.HOURS));
        // Every moment of the last 24 hours: from the start of the hour that was current 24 hours ago to the end of
        // this one (25 hours, unless the request came exactly on the hour).
        assertThat(from).isBeforeOrEqualTo(before.minus(Duration.ofHours(24)));
        assertThat(to).isAfterOrEqualTo(after);
        assertThat(Duration.between(from, to)).isEqualTo(Duration.ofHours(25));
        assertThat(body.get("series")).isEmpty();
    }

    @Test
    void defaultRangeStartsAtTheHourOrDayThatWasCurrent24HoursAgo() {
        // 11:14 UTC: the last 24 hours began at 11:14 yesterday, so its hour (11:00) and day (yesterday) are included.
        Clock at1114 = Clock.fixed(Instant.parse("2026-11-26T11:14:00Z"), ZoneOffset.UTC);
        UsageController controller = new UsageController(queries, tenants, ownership, at1114);
        Caller operator = new Caller(UUID.randomUUID(), Role.OPERATOR, null);
        UUID tenantId = UUID.fromString(tenant.id());

        UsageViews.UsageSeries hourly = controller.tenant(operator, tenantId, null, null, null);
        assertThat(hourly.from()).isEqualTo("2026-11-25T11:00:00Z");
        assertThat(hourly.to()).isEqualTo("2026-11-26T12:00:00Z");
        UsageViews.UsageSeries daily = controller.tenant(operator, tenantId, null, null, "day");
        assertThat(daily.from()).isEqualTo("2026-11-25T00:00:00Z");
        assertThat(daily.to()).isEqualTo("2026-11-27T00:00:00Z");
        // With only `to` given, the default `from` is the bucket 24 hours before it.
        UsageViews.UsageSeries before = controller.tenant(operator, tenantId, null, "2026-11-20T05:00:00Z", null);
        assertThat(before.from()).isEqualTo("2026-11-19T05:00:00Z");
        // On the hour exactly, the current hour has not begun: 24 buckets.
        UsageController onTheHour = new UsageController(queries, tenants, ownership,
                Clock.fixed(Instant.parse("2026-11-26T11:00:00Z"), ZoneOffset.UTC));
        UsageViews.UsageSeries exact = onTheHour.tenant(operator, tenantId, null, null, null);
        assertThat(exact.from()).isEqualTo("2026-11-25T11:00:00Z");
        assertThat(exact.to()).isEqualTo("2026-11-26T11:00:00Z");
    }

    @Test
    void smallQuantitiesAreWrittenAsPlainDecimalsNotInScientificNotation() {
        String db = database("tiny");
        // 476,500,000 byte-seconds = 1.81317e-7 GB-months; 0.00036 CU-seconds = 1e-7 CU-hours.
        Rec tiny = new Rec(1, db, day, day.plusSeconds(10), 1, 0, 0, "0.00036", 1000, 476_500_000L, 0, true);
        assertThat(postUsage(List.of(tiny)).status()).isEqualTo(200);
        ledger.rollUpPending();

        var r = usage(tenant.readKey(), dbPath(db), day, day.plus(Duration.ofDays(1)), "day");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.raw()).contains("\"storageGbMonths\":0.000000181317,").contains("\"cuHours\":0.0000001,")
                .contains("\"cuSeconds\":0.00036,").doesNotContain("E-");
    }

    private static void assertInvalid(ApiClient.Response r, String field) {
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
    }
}
