package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.UsageUnits;
import io.stratus.controlplane.metering.HourlyUsage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Turns a period's hourly roll-ups into export rows: one per tenant x database x metric, in the metered units (no
 * conversion, no rounding, so finance systems can re-price exactly). Rows with quantity zero are left out: a missing
 * row means zero. Sorted by tenant id, database id and metric name as strings, so the order never depends on the
 * order the database returned.
 */
final class ExportRows {

    private ExportRows() {
    }

    /** One line of the CSV and JSON Lines files. */
    record Row(String period, String tenantId, String databaseId, String metric, BigDecimal quantity, String unit) {
    }

    /** What the rows were built from, for the manifest. */
    record Summary(List<Row> rows, long sourceRecords, long inexactRecords, long lateRecords) {
    }

    private record Key(String tenantId, String databaseId) {
    }

    private static final class Sums {
        BigDecimal requests = BigDecimal.ZERO;
        BigDecimal rowsRead = BigDecimal.ZERO;
        BigDecimal rowsWritten = BigDecimal.ZERO;
        BigDecimal cuSeconds = BigDecimal.ZERO;
        BigDecimal storageByteSeconds = BigDecimal.ZERO;
        BigDecimal egressBytes = BigDecimal.ZERO;
        BigDecimal backupByteSeconds = BigDecimal.ZERO;
    }

    static Summary build(String period, List<HourlyUsage> hours) {
        Map<Key, Sums> sums = new TreeMap<>(Comparator.comparing(Key::tenantId).thenComparing(Key::databaseId));
        long records = 0;
        long inexact = 0;
        long late = 0;
        for (HourlyUsage h : hours) {
            Sums s = sums.computeIfAbsent(new Key(str(h.tenantId()), str(h.databaseId())), k -> new Sums());
            s.requests = s.requests.add(BigDecimal.valueOf(h.requests()));
            s.rowsRead = s.rowsRead.add(BigDecimal.valueOf(h.rowsRead()));
            s.rowsWritten = s.rowsWritten.add(BigDecimal.valueOf(h.rowsWritten()));
            s.cuSeconds = s.cuSeconds.add(h.cuSeconds());
            s.storageByteSeconds = s.storageByteSeconds.add(h.storageByteSeconds());
            s.egressBytes = s.egressBytes.add(BigDecimal.valueOf(h.egressBytes()));
            s.backupByteSeconds = s.backupByteSeconds.add(h.backupByteSeconds());
            records += h.records();
            inexact += h.inexactRecords();
            late += h.lateRecords();
        }
        List<Row> rows = new ArrayList<>();
        sums.forEach((k, s) -> {
            // Metric names in alphabetical order, so rows of one database are sorted too. backup_byte_seconds (ADR 0022)
            // is a new metric, not a new column: zero rows are left out, so periods without backup storage export the
            // same bytes as before it was metered.
            add(rows, period, k, "backup_byte_seconds", s.backupByteSeconds, "byte-seconds");
            add(rows, period, k, "cu_seconds", s.cuSeconds, "CU-seconds");
            add(rows, period, k, "egress_bytes", s.egressBytes, "bytes");
            add(rows, period, k, "requests", s.requests, "requests");
            add(rows, period, k, "rows_read", s.rowsRead, "rows");
            add(rows, period, k, "rows_written", s.rowsWritten, "rows");
            add(rows, period, k, "storage_byte_seconds", s.storageByteSeconds, "byte-seconds");
        });
        return new Summary(List.copyOf(rows), records, inexact, late);
    }

    private static void add(List<Row> rows, String period, Key k, String metric, BigDecimal quantity, String unit) {
        if (quantity.signum() != 0) {
            rows.add(new Row(period, k.tenantId(), k.databaseId(), metric, UsageUnits.plain(quantity), unit));
        }
    }

    private static String str(UUID id) {
        return id.toString();
    }
}
