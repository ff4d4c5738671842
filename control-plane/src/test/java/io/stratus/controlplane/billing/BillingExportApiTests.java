package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.controlplane.metering.Granularity;
import io.stratus.testing.ApiClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Exports through the re-run API on the shared application: files, manifest, idempotent re-runs, bad input. Each test
 * uses an hour of its own in the 1990s, so no other test's usage lands in its periods (metering's tests use 2001-2020).
 */
class BillingExportApiTests extends ControlPlaneTest {

    private static final Random RANDOM = new Random();

    @Autowired
    private io.stratus.controlplane.metering.UsageLedger ledger;
    @Autowired
    private BillingExporter exporter;

    private Instant hour;
    private UUID tenant1;
    private UUID tenant2;
    private UUID db1;
    private UUID db2;

    @BeforeEach
    void usage() {
        // The first hour of a random day, so the day's export holds this test's two hours only.
        hour = Instant.parse("1990-01-01T00:00:00Z").plus(Duration.ofDays(RANDOM.nextInt(3650)));
        tenant1 = BillingFixtures.tenant(jdbc);
        tenant2 = BillingFixtures.tenant(jdbc);
        db1 = BillingFixtures.database(jdbc, tenant1);
        db2 = BillingFixtures.database(jdbc, tenant2);
        BillingFixtures.usage(jdbc, tenant1, db1, hour, 1000, "12.500000", "3600000", 5000, 0);
        BillingFixtures.usage(jdbc, tenant2, db2, hour, 10, "0.000001", "7", 0, 2);
        BillingFixtures.usage(jdbc, tenant1, db1, hour.plus(Duration.ofHours(1)), 1, "1", "1", 1, 0);
    }

    private String hourName() {
        return BillingPeriod.hour(hour).name();
    }

    private ApiClient.Response run(String period) {
        return api().post(OPERATOR_KEY, "/v1/admin/billing-exports", ApiClient.json("period", period));
    }

    @Test
    void exportWritesCsvJsonLinesAndManifestAndARerunWritesTheSameBytes() throws Exception {
        var first = run(hourName());
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        JsonNode e = first.json();
        assertThat(e.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(e.get("granularity").asString()).isEqualTo("HOUR");
        assertThat(e.get("runs").asInt()).isEqualTo(1);
        // tenant1: all six metrics; tenant2: egress is zero and left out.
        assertThat(e.get("rowCount").asLong()).isEqualTo(11);
        assertThat(e.get("files").findValuesAsString("name"))
                .containsExactly("usage-" + hourName() + ".csv", "usage-" + hourName() + ".jsonl");
        assertThat(e.get("files").get(0).get("rows").asLong()).isEqualTo(11);
        Path dir = Path.of(e.get("location").asString());
        assertThat(dir.getFileName().toString()).isEqualTo(hourName());

        byte[] csv = Files.readAllBytes(dir.resolve("usage-" + hourName() + ".csv"));
        byte[] jsonl = Files.readAllBytes(dir.resolve("usage-" + hourName() + ".jsonl"));
        byte[] manifest = Files.readAllBytes(dir.resolve("manifest.json"));
        assertThat(ExportFiles.sha256(manifest)).isEqualTo(e.get("manifestSha256").asString());
        assertThat(ExportFiles.sha256(csv)).isEqualTo(e.get("files").get(0).get("sha256").asString());
        assertThat(ExportFiles.sha256(jsonl)).isEqualTo(e.get("files").get(1).get("sha256").asString());
        String csvText = new String(csv, StandardCharsets.UTF_8);
        assertThat(csvText).startsWith(ExportFiles.CSV_HEADER);
        assertThat(csvText.lines()).hasSize(12);
        assertThat(csvText).contains(hourName() + "," + tenant1 + "," + db1 + ",cu_seconds,12.5,CU-seconds\n")
                .contains(hourName() + "," + tenant1 + "," + db1 + ",requests,1000,requests\n")
                .contains(hourName() + "," + tenant2 + "," + db2 + ",cu_seconds,0.000001,CU-seconds\n")
                .doesNotContain(db2 + ",egress_bytes");
        assertThat(new String(jsonl, StandardCharsets.UTF_8).lines()).hasSize(11);
        String manifestText = new String(manifest, StandardCharsets.UTF_8);
        assertThat(manifestText).contains("\"lateRecords\": 2,").contains("\"sourceRecords\": 20,")
                .contains("\"periodStart\": \"" + hour + "\"");
        // The hour is closed: usage arriving for it now would be billed late, in an open hour.
        assertThat(jdbc.queryForObject("select count(*) from closed_hours where hour = ?", Long.class, Timestamp.from(hour))).isOne();

        var again = run(hourName());
        assertThat(again.status()).as(again.raw()).isEqualTo(200);
        assertThat(again.json().get("runs").asInt()).isEqualTo(2);
        assertThat(again.json().get("manifestSha256").asString()).isEqualTo(e.get("manifestSha256").asString());
        assertThat(Files.readAllBytes(dir.resolve("usage-" + hourName() + ".csv"))).isEqualTo(csv);
        assertThat(Files.readAllBytes(dir.resolve("usage-" + hourName() + ".jsonl"))).isEqualTo(jsonl);
        assertThat(Files.readAllBytes(dir.resolve("manifest.json"))).isEqualTo(manifest);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "usage-" + hourName() + ".csv", "usage-" + hourName() + ".jsonl", "manifest.json");
        }

        var got = api().get(OPERATOR_KEY, "/v1/admin/billing-exports/" + hourName());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("state").asString()).isEqualTo("SUCCEEDED");
        var listed = api().get(OPERATOR_KEY, "/v1/admin/billing-exports?from=" + hour + "&to=" + hour.plus(Duration.ofHours(1)));
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().findValuesAsString("period")).containsExactly(hourName());
    }

    @Test
    void aFiringExportsThePeriodsMissedOrFailedSinceTheLastOneOldestFirstAndThenNothing() throws Exception {
        assertThat(run(hourName()).status()).isEqualTo(200);
        BillingPeriod first = BillingPeriod.hour(hour);
        BillingPeriod missed = first.next();
        BillingPeriod failed = missed.next();
        BillingPeriod previous = failed.next();
        jdbc.update("insert into billing_exports (period, granularity, period_start, period_end, state, runs, error)"
                        + " values (?, 'HOUR', ?, ?, 'FAILED', 1, 'disk full')", failed.name(),
                Timestamp.from(failed.start()), Timestamp.from(failed.end()));
        Instant now = previous.end().plus(Duration.ofMinutes(5));
        Duration reach = Duration.ofHours(4);

        assertThat(exporter.due(Granularity.HOUR, now, Duration.ZERO)).as("no catch-up: the previous only")
                .containsExactly(previous);
        var outcomes = exporter.exportDue(Granularity.HOUR, now, reach);

        assertThat(outcomes).extracting(o -> ((BillingExporter.Outcome.Exported) o).export().period())
                .containsExactly(missed.name(), failed.name(), previous.name());
        assertThat(state(failed.name())).isEqualTo("SUCCEEDED");
        var missedExport = api().get(OPERATOR_KEY, "/v1/admin/billing-exports/" + missed.name()).json();
        assertThat(Files.readString(Path.of(missedExport.get("location").asString()).resolve("usage-" + missed.name() + ".csv")))
                .contains(missed.name() + "," + tenant1 + "," + db1 + ",requests,1,requests\n");
        assertThat(exporter.exportDue(Granularity.HOUR, now, reach)).as("a second firing").isEmpty();
    }

    @Test
    void aFailingPeriodDoesNotHoldBackLaterOnesButThreeInARowEndTheFiring() throws Exception {
        assertThat(run(hourName()).status()).isEqualTo(200);
        Path exports = Path.of("target", "test-data", "exports").toAbsolutePath();
        BillingPeriod first = BillingPeriod.hour(hour);
        List<BillingPeriod> hours = new ArrayList<>();
        for (BillingPeriod p = first.next(); hours.size() < 6; p = p.next()) {
            hours.add(p);
        }
        // A file where a period's directory goes makes that period's export fail: hours 1, 3, 4 and 5 of six.
        for (int i : new int[] {0, 2, 3, 4}) {
            Files.writeString(exports.resolve(hours.get(i).name()), "in the way");
        }
        Instant now = hours.get(5).end().plus(Duration.ofMinutes(5));

        try {
            assertThatThrownBy(() -> exporter.exportDue(Granularity.HOUR, now, Duration.ofHours(7)))
                    .isInstanceOf(BillingExporter.ExportFailedException.class).hasMessageContaining(hours.get(0).name());
        } finally {
            for (BillingPeriod p : hours) {
                if (Files.isRegularFile(exports.resolve(p.name()))) {
                    Files.delete(exports.resolve(p.name()));
                }
            }
        }

        assertThat(state(hours.get(0).name())).isEqualTo("FAILED");
        assertThat(state(hours.get(1).name())).as("after a failure, the next period still goes").isEqualTo("SUCCEEDED");
        assertThat(state(hours.get(2).name())).isEqualTo("FAILED");
        assertThat(state(hours.get(3).name())).isEqualTo("FAILED");
        assertThat(state(hours.get(4).name())).isEqualTo("FAILED");
        assertThat(jdbc.queryForObject("select count(*) from billing_exports where period = ?", Long.class,
                hours.get(5).name())).as("three failures in a row end the firing").isZero();
    }

    private String state(String period) {
        return jdbc.queryForObject("select state from billing_exports where period = ?", String.class, period);
    }

    @Test
    void aDayExportSumsItsHours() throws Exception {
        String day = BillingPeriod.day(hour.atOffset(java.time.ZoneOffset.UTC).toLocalDate()).name();
        var r = run(day);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("granularity").asString()).isEqualTo("DAY");
        Path dir = Path.of(r.json().get("location").asString());
        String csv = Files.readString(dir.resolve("usage-" + day + ".csv"));
        assertThat(csv).contains(day + "," + tenant1 + "," + db1 + ",requests,1001,requests\n")
                .contains(day + "," + tenant1 + "," + db1 + ",cu_seconds,13.5,CU-seconds\n")
                .contains(day + "," + tenant1 + "," + db1 + ",storage_byte_seconds,3600001,byte-seconds\n");
        assertThat(jdbc.queryForObject("select count(*) from closed_hours where hour >= ? and hour < ?", Long.class,
                Timestamp.from(hour), Timestamp.from(hour.plus(Duration.ofDays(1))))).isEqualTo(24);
    }

    @Test
    void badPeriodsAreProblemsAndStoreNothing() {
        String thisHour = BillingPeriod.hour(Instant.now()).name();
        String today = BillingPeriod.day(java.time.LocalDate.now(java.time.ZoneOffset.UTC)).name();
        String[] bodies = {
                ApiClient.json("period", "2026-11-25T24"), ApiClient.json("period", "yesterday"),
                ApiClient.json("period", "2026-11"), ApiClient.json("period", ""), ApiClient.json("period", "2026-02-30"),
                ApiClient.json("period", "2026-11-25T13:00"), ApiClient.json("period", thisHour), ApiClient.json("period", today),
                ApiClient.json("period", "2999-01-01"), "{}", "{\"period\":5}", "{\"period\":\"1990-01-01\",\"force\":true}",
                ApiClient.json("period", "0000-01-01"), ApiClient.json("period", "0000-01-01T05")};
        long exports = count("billing_exports");
        long closed = count("closed_hours");
        for (String body : bodies) {
            var r = api().post(OPERATOR_KEY, "/v1/admin/billing-exports", body);
            assertThat(r.status()).as(body + " " + r.raw()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
            assertThat(r.json().get("errors")).as(body).isNotNull();
        }
        assertThat(count("billing_exports")).isEqualTo(exports);
        assertThat(count("closed_hours")).isEqualTo(closed);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/billing-exports?from=yesterday").status()).isEqualTo(400);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/billing-exports?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                .status()).isEqualTo(400);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/billing-exports/1970-01-01T00").status()).isEqualTo(404);
    }

    @Test
    void tenantsCannotSeeOrRunExports() {
        TestTenant t = newTenant();
        long exports = count("billing_exports");
        for (String key : new String[] {t.adminKey(), t.readKey()}) {
            assertThat(api().post(key, "/v1/admin/billing-exports", ApiClient.json("period", hourName())).status()).isEqualTo(403);
            assertThat(api().get(key, "/v1/admin/billing-exports").status()).isEqualTo(403);
            assertThat(api().get(key, "/v1/admin/billing-exports/" + hourName()).status()).isEqualTo(403);
        }
        assertThat(count("billing_exports")).isEqualTo(exports);
        assertThat(api().get(null, "/v1/admin/billing-exports").status()).isEqualTo(401);
    }

    /** A record delivered through the agent API, for {@code db} in the window [from, from + 10 s). */
    private static String record(long seq, String db, Instant from, long requests) {
        return "{\"seq\":" + seq + ",\"computeId\":\"" + db + "\",\"from\":\"" + from + "\",\"to\":\"" + from.plusSeconds(10)
                + "\",\"requests\":" + requests + ",\"rowsRead\":0,\"rowsWritten\":0,\"cuSeconds\":2.5,\"storageBytes\":1000,"
                + "\"storageByteSeconds\":10000,\"egressBytes\":0,\"exact\":true,\"requestSource\":\"pg_stat_statements\"}";
    }

    @Test
    void usageArrivingForAnExportedHourIsBilledLateElsewhereAndTheExportStaysTheSame() throws Exception {
        // A node of this test's own (only it offers this release) reporting usage like an agent.
        String release = "14." + (100 + RANDOM.nextInt(1_000_000));
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"bill-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z\",\"capacityCu\":10,\"releases\":[\"" + release + "\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        String node = reg.text("nodeId");
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", "{\"name\":\"metered\",\"minCu\":0.25,\"maxCu\":1,"
                + "\"release\":\"" + release + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String db = created.at("/database/id").asString();
        var onTime = api().post(reg.text("credential"), "/agent/v1/nodes/" + node + "/usage",
                "{\"nodeId\":\"" + node + "\",\"records\":[" + record(1, db, hour.plusSeconds(60), 5) + "]}");
        assertThat(onTime.status()).as(onTime.raw()).isEqualTo(200);

        // The export closes the hour and rolls its pending records up before reading it.
        var first = run(hourName());
        Path dir = Path.of(first.json().get("location").asString());
        byte[] csv = Files.readAllBytes(dir.resolve("usage-" + hourName() + ".csv"));
        assertThat(new String(csv, StandardCharsets.UTF_8)).contains("," + db + ",requests,5,requests\n");

        var late = api().post(reg.text("credential"), "/agent/v1/nodes/" + node + "/usage",
                "{\"nodeId\":\"" + node + "\",\"records\":[" + record(2, db, hour.plusSeconds(120), 7) + "]}");
        assertThat(late.status()).as(late.raw()).isEqualTo(200);
        ledger.rollUpPending();

        // Billed, flagged late, in an open hour; the closed hour and its export are untouched.
        var billed = jdbc.queryForMap("select requests, late_records from usage_hourly where database_id = ?::uuid and hour > ?",
                db, Timestamp.from(hour));
        assertThat(billed).containsEntry("requests", 7L).containsEntry("late_records", 1);
        var again = run(hourName());
        assertThat(Files.readAllBytes(dir.resolve("usage-" + hourName() + ".csv"))).isEqualTo(csv);
        assertThat(again.json().get("manifestSha256").asString()).isEqualTo(first.json().get("manifestSha256").asString());
    }
}
