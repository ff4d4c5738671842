package io.stratus.controlplane.metering;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Read-only access to rolled-up usage ({@code usage_hourly}). Only rolled-up usage is visible: records still waiting for
 * the roll-up job are not (see {@link UsageLedger#closeAndRollUp} for hours that must be final).
 */
@Service
@Transactional(readOnly = true)
public class UsageQueries {

    private static final String COLUMNS = "tenant_id, database_id, hour, requests, rows_read, rows_written, cu_seconds, "
            + "storage_byte_seconds, storage_bytes_max, egress_bytes, records, inexact_records, late_records, "
            + "backup_byte_seconds";

    private final JdbcClient jdbc;

    UsageQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Every database's hourly usage with hour in [from, to), ordered by tenant id, database id, hour (PostgreSQL's
     * uuid and timestamptz order).
     */
    public List<HourlyUsage> hourly(Instant from, Instant to) {
        return jdbc.sql("select " + COLUMNS + " from usage_hourly where hour >= ? and hour < ? "
                        + "order by tenant_id, database_id, hour")
                .params(UsageLedger.utc(from), UsageLedger.utc(to))
                .query(UsageQueries::hourlyUsage)
                .list();
    }

    /** One tenant's hourly usage with hour in [from, to), ordered by database id, hour; deleted databases included. */
    public List<HourlyUsage> hourlyForTenant(UUID tenantId, Instant from, Instant to) {
        return jdbc.sql("select " + COLUMNS + " from usage_hourly where tenant_id = ? and hour >= ? and hour < ? "
                        + "order by tenant_id, database_id, hour")
                .params(tenantId, UsageLedger.utc(from), UsageLedger.utc(to))
                .query(UsageQueries::hourlyUsage)
                .list();
    }

    /** A bucket of usage: sums over one hour, day or month, of one database or a whole tenant. */
    public record Bucket(Instant start, long requests, long rowsRead, long rowsWritten, java.math.BigDecimal cuSeconds,
                  java.math.BigDecimal storageByteSeconds, long storageBytesMax, long egressBytes, long inexactRecords,
                  long lateRecords, long ingressBytes, java.math.BigDecimal backupByteSeconds) {
    }

    /**
     * One tenant's usage summed per UTC month, for every month with usage in [from, to), oldest first: what its
     * invoices price. Summed by the database, so a long-lived tenant's invoice list reads one row per month.
     */
    public List<Bucket> monthlyForTenant(UUID tenantId, Instant from, Instant to) {
        return series(tenantId, null, "month", from, to);
    }

    /** Buckets with data, in order; {@code databaseId} null means all of the tenant's databases. */
    public List<Bucket> series(UUID tenantId, UUID databaseId, Granularity granularity, Instant from, Instant to) {
        return series(tenantId, databaseId, granularity.sqlUnit(), from, to);
    }

    private List<Bucket> series(UUID tenantId, UUID databaseId, String unit, Instant from, Instant to) {
        // storage_bytes_max of a tenant's bucket is the largest single database's size, summed storage lives in
        // byte-seconds.
        String scope = databaseId == null ? "" : "and database_id = :database ";
        var sql = jdbc.sql("select date_trunc(:unit, hour, 'UTC') as start, sum(requests) as requests, "
                        + "sum(rows_read) as rows_read, sum(rows_written) as rows_written, sum(cu_seconds) as cu_seconds, "
                        + "sum(storage_byte_seconds) as storage_byte_seconds, max(storage_bytes_max) as storage_bytes_max, "
                        + "sum(egress_bytes) as egress_bytes, sum(ingress_bytes) as ingress_bytes, "
                        + "sum(inexact_records) as inexact_records, "
                        + "sum(late_records) as late_records, sum(backup_byte_seconds) as backup_byte_seconds "
                        + "from usage_hourly where tenant_id = :tenant " + scope
                        + "and hour >= :from and hour < :to group by 1 order by 1")
                .param("unit", unit)
                .param("tenant", tenantId);
        if (databaseId != null) {
            sql = sql.param("database", databaseId);
        }
        return sql.param("from", UsageLedger.utc(from))
                .param("to", UsageLedger.utc(to))
                .query((rs, i) -> new Bucket(instant(rs, "start"), rs.getLong("requests"), rs.getLong("rows_read"),
                        rs.getLong("rows_written"), rs.getBigDecimal("cu_seconds"), rs.getBigDecimal("storage_byte_seconds"),
                        rs.getLong("storage_bytes_max"), rs.getLong("egress_bytes"), rs.getLong("inexact_records"),
                        rs.getLong("late_records"), rs.getLong("ingress_bytes"),
                        rs.getBigDecimal("backup_byte_seconds")))
                .list();
    }

    private static HourlyUsage hourlyUsage(ResultSet rs, int row) throws SQLException {
        return new HourlyUsage(rs.getObject("tenant_id", UUID.class), rs.getObject("database_id", UUID.class),
                instant(rs, "hour"), rs.getLong("requests"), rs.getLong("rows_read"), rs.getLong("rows_written"),
                rs.getBigDecimal("cu_seconds"), rs.getBigDecimal("storage_byte_seconds"), rs.getLong("storage_bytes_max"),
                rs.getLong("egress_bytes"), rs.getInt("records"), rs.getInt("inexact_records"), rs.getInt("late_records"),
                rs.getBigDecimal("backup_byte_seconds"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
