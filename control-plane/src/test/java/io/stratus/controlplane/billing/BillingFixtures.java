package io.stratus.controlplane.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Known usage for billing tests, written straight into metering's tables: a database row (DELETED, so no placement
 * loop touches it; deleted databases are still billed) and {@code usage_hourly} roll-ups, which metering's roll-up only
 * ever adds to.
 */
final class BillingFixtures {

    private BillingFixtures() {
    }

    static UUID tenant(JdbcTemplate jdbc) {
        UUID id = UUID.randomUUID();
        jdbc.update("insert into tenants (id, name, created_at) values (?, ?, now())", id, "bt-" + id.toString().substring(0, 13));
        return id;
    }

    static UUID database(JdbcTemplate jdbc, UUID tenant) {
        UUID id = UUID.randomUUID();
        jdbc.update("insert into databases (id, tenant_id, name, endpoint, state, min_cu, max_cu, current_cu, release, "
                + "owner_role, owner_verifier, created_at, deleted_at) values (?, ?, ?, ?, 'DELETED', 0.25, 1, 0, '15', 'o',"
                + " 'v', now(), now())", id, tenant, "db_" + id.toString().substring(0, 8),
                id.toString().replace("-", "").substring(0, 12));
        return id;
    }

    /** One hour of one database's usage. */
    static void usage(JdbcTemplate jdbc, UUID tenant, UUID database, Instant hour, long requests, String cuSeconds,
                      String storageByteSeconds, long egressBytes, int lateRecords) {
        jdbc.update("insert into usage_hourly (database_id, tenant_id, hour, requests, rows_read, rows_written, cu_seconds, "
                        + "storage_byte_seconds, storage_bytes_max, egress_bytes, records, inexact_records, late_records) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                database, tenant, Timestamp.from(hour), requests, requests * 2, requests / 2, new BigDecimal(cuSeconds),
                new BigDecimal(storageByteSeconds), 1000, egressBytes, 10, 0, lateRecords);
    }

    /** One hour of one database's backup storage, as the backup storage ledger accrues it (no agent records). */
    static void backupUsage(JdbcTemplate jdbc, UUID tenant, UUID database, Instant hour, BigDecimal byteSeconds) {
        jdbc.update("insert into usage_hourly (database_id, tenant_id, hour, requests, rows_read, rows_written, cu_seconds, "
                        + "storage_byte_seconds, storage_bytes_max, egress_bytes, records, inexact_records, late_records, "
                        + "backup_byte_seconds) values (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?)",
                database, tenant, Timestamp.from(hour), byteSeconds);
    }
}
