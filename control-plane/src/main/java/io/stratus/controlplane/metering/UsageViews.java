package io.stratus.controlplane.metering;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Bodies of the usage API. */
final class UsageViews {

    private UsageViews() {
    }

    /**
     * A usage series.
     *
     * @param requestSource where request counts come from: {@code front-door}, the agents' front doors counting statements on the wire
     */
    record UsageSeries(Instant from, Instant to, String granularity, List<UsagePoint> series, String requestSource) {
    }

    /**
     * One bucket (hour or day) of usage, by billing hour.
     *
     * @param egressBytes  bytes the front doors sent to the database's (or tenant's) clients; priced
     * @param exact       false when a record of the bucket may have missed something (an agent killed before its
     *                    last flush)
     * @param ingressBytes bytes the front doors received from those clients; shown, not priced
     * @param lateRecords records billed in this bucket that arrived after their own hour was closed
     * @param backupStorageByteSeconds bytes the backups and archived WAL held in the backup store, integrated over
     *                    time (sampled by the control plane, ADR 0022); priced as backup storage
     * @param backupStorageGbMonths the same in GB-months (10^9 bytes for 730 hours), rounded half-even to 12 places
     */
    record UsagePoint(Instant start, long requests, long rowsRead, long rowsWritten, BigDecimal cuSeconds,
                      BigDecimal cuHours, BigDecimal storageByteSeconds, BigDecimal storageGbMonths,
                      long storageBytesMax, long egressBytes, boolean exact, long lateRecords, long ingressBytes,
                      BigDecimal backupStorageByteSeconds, BigDecimal backupStorageGbMonths) {

        static UsagePoint of(UsageQueries.Bucket b) {
            return new UsagePoint(b.start(), b.requests(), b.rowsRead(), b.rowsWritten(), UsageUnits.plain(b.cuSeconds()),
                    UsageUnits.plain(UsageUnits.cuHours(b.cuSeconds())), UsageUnits.plain(b.storageByteSeconds()),
                    UsageUnits.plain(UsageUnits.gbMonths(b.storageByteSeconds())), b.storageBytesMax(), b.egressBytes(),
                    b.inexactRecords() == 0, b.lateRecords(), b.ingressBytes(), UsageUnits.plain(b.backupByteSeconds()),
                    UsageUnits.plain(UsageUnits.gbMonths(b.backupByteSeconds())));
        }
    }
}
