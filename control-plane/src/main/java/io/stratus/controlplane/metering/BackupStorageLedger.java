package io.stratus.controlplane.metering;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Backup storage as a usage metric (ADR 0022): the backups feature samples how many bytes each database holds in the
 * backup store, and this ledger turns consecutive samples into byte-seconds in {@code usage_hourly.backup_byte_seconds}.
 *
 * <p>A sample accrues the <em>previous</em> sample's bytes for the whole seconds since it, split at UTC hour boundaries
 * (what was known to be stored over that time; a suspended compute's storage is billed the same way), then becomes the
 * previous sample. The previous sample is one row per database, read and moved under its row lock in the transaction
 * that adds the byte-seconds: a sample for an instant not after the last one adds nothing, so a job fired twice or two
 * control planes sampling at once never count an interval twice. Hours already closed by a billing export are never
 * changed: their share is billed in the first open hour, as late agent records are (ADR 0007), holding the same
 * closing lock shared.
 */
@Service
public class BackupStorageLedger {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    BackupStorageLedger(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Records that {@code databaseId} held {@code bytes} in the backup store at {@code at} (truncated to the second)
     * and accrues the previous sample's bytes up to then. The first sample of a database accrues nothing.
     *
     * @return the byte-seconds this call added (0 for a first, repeated or out-of-order sample)
     */
    public BigDecimal record(UUID databaseId, UUID tenantId, Instant at, long bytes) {
        Objects.requireNonNull(databaseId, "databaseId");
        Objects.requireNonNull(tenantId, "tenantId");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        Instant now = at.truncatedTo(ChronoUnit.SECONDS);
        return tx.execute(s -> {
            // Shared: a close of hours waits for this transaction, and this one sees hours closed before it.
            jdbc.sql("select 1 from pg_advisory_xact_lock_shared(?)").param(UsageLocks.CLOSING).query(Integer.class)
                    .single();
            int inserted = jdbc.sql("insert into backup_storage_samples (database_id, tenant_id, sampled_at, bytes) "
                            + "values (?, ?, ?, ?) on conflict (database_id) do nothing")
                    .params(databaseId, tenantId, ts(now), bytes).update();
            if (inserted == 1) {
                return BigDecimal.ZERO;
            }
            Sample previous = jdbc.sql("select sampled_at, bytes from backup_storage_samples where database_id = ? "
                            + "for update")
                    .param(databaseId)
                    .query((rs, i) -> new Sample(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getLong(2)))
                    .single();
            if (!now.isAfter(previous.at())) {
                return BigDecimal.ZERO;
            }
            BigDecimal added = BigDecimal.ZERO;
            if (previous.bytes() > 0) {
                Instant firstOpen = firstOpenHour(now);
                // Written in hour order, the roll-up's order for a database, so the two cannot deadlock (a closed
                // hour's share may land in a later hour than the next part's).
                Map<Instant, BigDecimal> byHour = new TreeMap<>();
                for (Map.Entry<Instant, Long> part : split(previous.at(), now).entrySet()) {
                    BigDecimal byteSeconds = BigDecimal.valueOf(previous.bytes())
                            .multiply(BigDecimal.valueOf(part.getValue()));
                    Instant hour = closed(part.getKey()) ? firstOpen : part.getKey();
                    byHour.merge(hour, byteSeconds, BigDecimal::add);
                    added = added.add(byteSeconds);
                }
                byHour.forEach((hour, byteSeconds) -> add(databaseId, tenantId, hour, byteSeconds));
            }
            jdbc.sql("update backup_storage_samples set sampled_at = ?, bytes = ?, tenant_id = ? where database_id = ?")
                    .params(ts(now), bytes, tenantId, databaseId).update();
            return added;
        });
    }

    /**
     * Databases whose last sample held bytes, with their tenants: they are sampled until they are seen empty (or
     * recorded empty once nothing of theirs is billable any more), so their last interval is accrued.
     */
    public Map<UUID, UUID> holdingBytes() {
        Map<UUID, UUID> holding = new LinkedHashMap<>();
        jdbc.sql("select database_id, tenant_id from backup_storage_samples where bytes > 0 order by database_id")
                .query(rs -> {
                    holding.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        return holding;
    }

    /** The database's last sample, if it was ever sampled. */
    public Optional<Sample> lastSample(UUID databaseId) {
        return jdbc.sql("select sampled_at, bytes from backup_storage_samples where database_id = ?").param(databaseId)
                .query((rs, i) -> new Sample(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getLong(2)))
                .optional();
    }

    /** A database's bytes in the backup store at an instant. */
    public record Sample(Instant at, long bytes) {
    }

    /** Whole seconds of [from, to) per UTC hour start, in order; both ends whole seconds. */
    static Map<Instant, Long> split(Instant from, Instant to) {
        Map<Instant, Long> parts = new LinkedHashMap<>();
        Instant start = from;
        while (start.isBefore(to)) {
            Instant hour = start.truncatedTo(ChronoUnit.HOURS);
            Instant end = hour.plus(Duration.ofHours(1));
            if (end.isAfter(to)) {
                end = to;
            }
            parts.put(hour, Duration.between(start, end).getSeconds());
            start = end;
        }
        return parts;
    }

    private boolean closed(Instant hour) {
        return jdbc.sql("select count(*) from closed_hours where hour = ?").param(ts(hour)).query(Long.class).single() > 0;
    }

    /** This sample's hour, or the hour after the last closed one if that is later (as ingestion decides). */
    private Instant firstOpenHour(Instant now) {
        return jdbc.sql("select greatest(?::timestamptz, max(hour) + interval '1 hour') from closed_hours")
                .param(ts(now.truncatedTo(ChronoUnit.HOURS)))
                .query((rs, i) -> rs.getObject(1, OffsetDateTime.class).toInstant()).single();
    }

    private void add(UUID databaseId, UUID tenantId, Instant hour, BigDecimal byteSeconds) {
        jdbc.sql("insert into usage_hourly (database_id, tenant_id, hour, requests, rows_read, rows_written, cu_seconds, "
                        + "storage_byte_seconds, storage_bytes_max, egress_bytes, records, inexact_records, late_records, "
                        + "backup_byte_seconds) values (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?) "
                        + "on conflict (database_id, hour) do update set "
                        + "backup_byte_seconds = usage_hourly.backup_byte_seconds + excluded.backup_byte_seconds")
                .params(databaseId, tenantId, ts(hour), byteSeconds).update();
    }

    private static OffsetDateTime ts(Instant t) {
        return UsageLedger.utc(t);
    }
}
