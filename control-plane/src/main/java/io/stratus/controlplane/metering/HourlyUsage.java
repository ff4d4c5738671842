package io.stratus.controlplane.metering;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One database's usage in one billing hour, as rolled up from the agents' usage records ({@code usage_hourly}).
 *
 * @param tenantId           the database's tenant
 * @param databaseId         the database (also for databases deleted since)
 * @param hour               the UTC hour start this usage is billed in (a late record's usage is billed in the first
 *                           hour that was still open when it arrived, not in the hour it was used in)
 * @param requests           top-level statements
 * @param rowsRead           rows returned by reading statements
 * @param rowsWritten        rows affected by writing statements
 * @param cuSeconds          CU granted times seconds running
 * @param storageByteSeconds bytes stored integrated over time (see {@link UsageUnits#gbMonths})
 * @param storageBytesMax    the largest database size any record of the hour reported
 * @param egressBytes        bytes sent to clients
 * @param records            usage records rolled into this hour
 * @param inexactRecords     of which the agent flagged as possibly incomplete
 * @param lateRecords        of which arrived after their own hour was closed
 * @param backupByteSeconds  bytes the database's backups and archived WAL held in the backup store, integrated over
 *                           time (sampled by the control plane, not reported by agents: ADR 0022)
 */
public record HourlyUsage(UUID tenantId, UUID databaseId, Instant hour, long requests, long rowsRead, long rowsWritten,
                          BigDecimal cuSeconds, BigDecimal storageByteSeconds, long storageBytesMax, long egressBytes,
                          int records, int inexactRecords, int lateRecords, BigDecimal backupByteSeconds) {

    /** Usage without backup storage. */
    public HourlyUsage(UUID tenantId, UUID databaseId, Instant hour, long requests, long rowsRead, long rowsWritten,
                       BigDecimal cuSeconds, BigDecimal storageByteSeconds, long storageBytesMax, long egressBytes,
                       int records, int inexactRecords, int lateRecords) {
        this(tenantId, databaseId, hour, requests, rowsRead, rowsWritten, cuSeconds, storageByteSeconds, storageBytesMax,
                egressBytes, records, inexactRecords, lateRecords, BigDecimal.ZERO);
    }
}
