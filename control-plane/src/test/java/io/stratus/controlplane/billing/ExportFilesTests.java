package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.metering.HourlyUsage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportFilesTests {

    private static final UUID T1 = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID T2 = UUID.fromString("f0000000-0000-0000-0000-000000000001");
    private static final UUID D1 = UUID.fromString("10000000-0000-0000-0000-000000000001");
    private static final UUID D2 = UUID.fromString("20000000-0000-0000-0000-000000000002");

    private static HourlyUsage usage(UUID tenant, UUID db, String hour, long requests, String cuSeconds, int late) {
        return new HourlyUsage(tenant, db, Instant.parse(hour), requests, 0, 5, new BigDecimal(cuSeconds),
                new BigDecimal("1000"), 10, 0, 3, 1, late);
    }

    @Test
    void rowsAreSummedPerDatabaseSortedAndZerosLeftOut() {
        var period = BillingPeriod.parse("2026-11-25").orElseThrow();
        // Given out of order: the rows come out sorted by tenant id, database id and metric as strings.
        var summary = ExportRows.build(period.name(), List.of(
                usage(T2, D1, "2026-11-25T01:00:00Z", 7, "0.000000", 0),
                usage(T1, D2, "2026-11-25T01:00:00Z", 1, "1.500000", 1),
                usage(T1, D2, "2026-11-25T02:00:00Z", 2, "2.250000", 0)));
        String csv = new String(ExportFiles.csv(summary.rows()), StandardCharsets.UTF_8);
        assertThat(csv).isEqualTo("""
                period,tenant_id,database_id,metric,quantity,unit
                2026-11-25,00000000-0000-0000-0000-00000000000a,20000000-0000-0000-0000-000000000002,cu_seconds,3.75,CU-seconds
                2026-11-25,00000000-0000-0000-0000-00000000000a,20000000-0000-0000-0000-000000000002,requests,3,requests
                2026-11-25,00000000-0000-0000-0000-00000000000a,20000000-0000-0000-0000-000000000002,rows_written,10,rows
                2026-11-25,00000000-0000-0000-0000-00000000000a,20000000-0000-0000-0000-000000000002,storage_byte_seconds,2000,byte-seconds
                2026-11-25,f0000000-0000-0000-0000-000000000001,10000000-0000-0000-0000-000000000001,requests,7,requests
                2026-11-25,f0000000-0000-0000-0000-000000000001,10000000-0000-0000-0000-000000000001,rows_written,5,rows
                2026-11-25,f0000000-0000-0000-0000-000000000001,10000000-0000-0000-0000-000000000001,storage_byte_seconds,1000,byte-seconds
                """);
        assertThat(summary.sourceRecords()).isEqualTo(9);
        assertThat(summary.inexactRecords()).isEqualTo(3);
        assertThat(summary.lateRecords()).isEqualTo(1);
        String jsonl = new String(ExportFiles.jsonLines(summary.rows()), StandardCharsets.UTF_8);
        assertThat(jsonl.split("\n", -1)).hasSize(summary.rows().size() + 1);
        assertThat(jsonl).startsWith("{\"period\":\"2026-11-25\",\"tenant_id\":\"00000000-0000-0000-0000-00000000000a\","
                + "\"database_id\":\"20000000-0000-0000-0000-000000000002\",\"metric\":\"cu_seconds\",\"quantity\":\"3.75\","
                + "\"unit\":\"CU-seconds\"}\n");
    }

    @Test
    void writingTwiceGivesTheSameBytesAndLeavesNoTemporaryFiles(@TempDir Path root) throws Exception {
        var period = BillingPeriod.parse("2026-11-25T13").orElseThrow();
        var summary = ExportRows.build(period.name(), List.of(usage(T1, D1, "2026-11-25T13:00:00Z", 42, "1", 0)));
        var first = ExportFiles.write(root, period, summary);
        Path dir = root.resolve("2026-11-25T13");
        byte[] csv = Files.readAllBytes(dir.resolve("usage-2026-11-25T13.csv"));
        byte[] manifest = Files.readAllBytes(dir.resolve("manifest.json"));
        // A dead run's leftover is cleaned up by the next run.
        Files.writeString(dir.resolve(".tmp-manifest.json-123"), "half");
        var second = ExportFiles.write(root, period, summary);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve("usage-2026-11-25T13.csv"))).isEqualTo(csv);
        assertThat(Files.readAllBytes(dir.resolve("manifest.json"))).isEqualTo(manifest);
        assertThat(ExportFiles.sha256(manifest)).isEqualTo(first.manifestSha256());
        assertThat(ExportFiles.sha256(csv)).isEqualTo(first.files().get(0).sha256());
        assertThat(first.files().get(0).bytes()).isEqualTo(csv.length);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "usage-2026-11-25T13.csv", "usage-2026-11-25T13.jsonl", "manifest.json");
        }
        assertThat(new String(manifest, StandardCharsets.UTF_8)).isEqualTo("""
                {
                  "period": "2026-11-25T13",
                  "granularity": "HOUR",
                  "periodStart": "2026-11-25T13:00:00Z",
                  "periodEnd": "2026-11-25T14:00:00Z",
                  "sourceRecords": 3,
                  "inexactRecords": 1,
                  "lateRecords": 0,
                  "files": [
                    {"name": "usage-2026-11-25T13.csv", "rows": 4, "sha256": "%s", "bytes": %d},
                    {"name": "usage-2026-11-25T13.jsonl", "rows": 4, "sha256": "%s", "bytes": %d}
                  ]
                }
                """.formatted(first.files().get(0).sha256(), first.files().get(0).bytes(),
                first.files().get(1).sha256(), first.files().get(1).bytes()));
    }

    /*
     * Backup storage is a metric, not a column: a period without it exports exactly the rows (and so the bytes) it did
     * before it was metered, and one with it gains a backup_byte_seconds row per database, sorted first by name.
     */
    @Test
    void backupStorageIsARowOfItsOwnAndLeavesPeriodsWithoutItUnchanged() {
        var period = BillingPeriod.parse("2026-11-25").orElseThrow();
        var without = usage(T1, D1, "2026-11-25T01:00:00Z", 4, "1", 0);
        var withZero = new HourlyUsage(T1, D1, Instant.parse("2026-11-25T01:00:00Z"), 4, 0, 5, new BigDecimal("1"),
                new BigDecimal("1000"), 10, 0, 3, 1, 0, BigDecimal.ZERO);
        assertThat(ExportFiles.csv(ExportRows.build(period.name(), List.of(withZero)).rows()))
                .isEqualTo(ExportFiles.csv(ExportRows.build(period.name(), List.of(without)).rows()));

        var backups = new HourlyUsage(T1, D1, Instant.parse("2026-11-25T02:00:00Z"), 0, 0, 0, BigDecimal.ZERO,
                BigDecimal.ZERO, 0, 0, 0, 0, 0, new BigDecimal("7800000"));
        var summary = ExportRows.build(period.name(), List.of(without, backups));
        assertThat(new String(ExportFiles.csv(summary.rows()), StandardCharsets.UTF_8)).isEqualTo("""
                period,tenant_id,database_id,metric,quantity,unit
                2026-11-25,00000000-0000-0000-0000-00000000000a,10000000-0000-0000-0000-000000000001,backup_byte_seconds,7800000,byte-seconds
                2026-11-25,00000000-0000-0000-0000-00000000000a,10000000-0000-0000-0000-000000000001,cu_seconds,1,CU-seconds
                2026-11-25,00000000-0000-0000-0000-00000000000a,10000000-0000-0000-0000-000000000001,requests,4,requests
                2026-11-25,00000000-0000-0000-0000-00000000000a,10000000-0000-0000-0000-000000000001,rows_written,5,rows
                2026-11-25,00000000-0000-0000-0000-00000000000a,10000000-0000-0000-0000-000000000001,storage_byte_seconds,1000,byte-seconds
                """);
        // Sampled hours carry no agent records: the manifest's record counts are the agents' alone.
        assertThat(summary.sourceRecords()).isEqualTo(3);
    }
}
