package io.stratus.agent.metering;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Where a compute's metering stands: the end of its last spooled window and the counters it was measured against.
 * Spooled in the same line as the record it ends, so that a record and the baseline it moves to are durable together:
 * after a crash the next window starts exactly where the last spooled one ended, and nothing is counted twice or lost.
 *
 * @param computeId       the compute
 * @param at              end of the last spooled window (the next window's start)
 * @param statsReset      the reading's {@code stats_reset} (a different one later means the counters restarted)
 * @param postmasterStart the reading's postmaster start
 * @param dealloc         the reading's eviction count (a larger one later means entries, and counts, were lost)
 * @param calls           cumulative tenant statements at {@code at}
 * @param rowsRead        cumulative rows read at {@code at}
 * @param rowsWritten     cumulative rows written at {@code at}
 * @param storageBytes    the last known size of the tenant's database (billed on while the compute is suspended)
 * @param cu              the CU in force at {@code at} (0 while suspended)
 * @param classifierVersion the {@link #RULES} the counters were summed with; null in cursors spooled before it was
 *                        kept, whose rules were those of version 2
 * @param egressBytes     cumulative bytes sent to clients at {@code at} (0 in cursors spooled before it was kept)
 * @param ingressBytes    cumulative bytes received from clients at {@code at} (0 in cursors spooled before it was kept)
 */
public record UsageCursor(UUID computeId, Instant at, Instant statsReset, Instant postmasterStart, long dealloc,
                          long calls, long rowsRead, long rowsWritten, long storageBytes, BigDecimal cu,
                          Integer classifierVersion, long egressBytes, long ingressBytes) {

    /**
     * The version of the rules that say what a request is and whose rows count. 1-3: pg_stat_statements' statements,
     * classified from their text; 4: the front door's command tags (StatementMeter).
     */
    static final int RULES = 4;

    /** A cursor whose counters were summed with this agent's rules. */
    public UsageCursor(UUID computeId, Instant at, Instant statsReset, Instant postmasterStart, long dealloc,
                       long calls, long rowsRead, long rowsWritten, long storageBytes, BigDecimal cu, long egressBytes,
                       long ingressBytes) {
        this(computeId, at, statsReset, postmasterStart, dealloc, calls, rowsRead, rowsWritten, storageBytes, cu,
                RULES, egressBytes, ingressBytes);
    }

    /** Whether its counters were summed with the rules this agent sums with, so that a reading can be set against them. */
    boolean sameRules() {
        return classifierVersion != null && classifierVersion == RULES;
    }

    /** A compute never metered before: every statement its database has seen is the tenant's and still unbilled. */
    static UsageCursor fresh(UUID computeId, Instant at, CounterReading reading, BigDecimal cu) {
        return new UsageCursor(computeId, at, reading.statsReset(), reading.postmasterStart(), reading.dealloc(), 0, 0, 0,
                reading.storageBytes(), cu, 0, 0);
    }

    /**
     * A compute that stopped before it could ever be read (suspended within seconds of its creation): its CU-seconds
     * are billed from {@code at} on without waiting for a reading that may never come (it may be deleted asleep). The
     * counters are what a fresh cursor holds, zero; no {@code statsReset} marks the baseline as taken without a
     * reading, so that the first reading counts everything since creation as exact ({@link CounterDelta}). Storage is
     * unknown, 0, until then.
     */
    static UsageCursor unread(UUID computeId, Instant at, BigDecimal cu) {
        return new UsageCursor(computeId, at, null, null, 0, 0, 0, 0, 0, cu, 0, 0);
    }

    /** Moved to {@code end}, measured against {@code reading}. */
    UsageCursor advance(Instant end, CounterReading reading, BigDecimal cuAtEnd) {
        return new UsageCursor(computeId, end, reading.statsReset(), reading.postmasterStart(), reading.dealloc(),
                reading.calls(), reading.rowsRead(), reading.rowsWritten(), reading.storageBytes(), cuAtEnd,
                reading.egressBytes(), reading.ingressBytes());
    }

    /** Moved to {@code end} with the same counters (nothing read: the compute is suspended or did not answer). */
    UsageCursor advance(Instant end, BigDecimal cuAtEnd) {
        return new UsageCursor(computeId, end, statsReset, postmasterStart, dealloc, calls, rowsRead, rowsWritten,
                storageBytes, cuAtEnd, classifierVersion, egressBytes, ingressBytes);
    }

    /** Whether its counters were cut from the tally of this {@code epoch} (this agent process's). */
    boolean cutFrom(Instant epoch) {
        return epoch.equals(statsReset);
    }

    /** Whether its counters are the tally's totals: nothing counted since it was cut. */
    boolean holds(WireTally.Totals t) {
        return calls == t.requests() && rowsRead == t.rowsRead() && rowsWritten == t.rowsWritten()
                && egressBytes == t.egressBytes() && ingressBytes == t.ingressBytes();
    }

    /** A reading of the tally's totals with the size and postmaster start this cursor was cut at (no query). */
    CounterReading withCounts(WireTally.Totals t) {
        return new CounterReading(statsReset, postmasterStart, dealloc, t.requests(), t.rowsRead(), t.rowsWritten(),
                storageBytes, t.egressBytes(), t.ingressBytes());
    }

    /** The counters as a reading, for a window in which nothing could be read. */
    CounterReading asReading() {
        return new CounterReading(statsReset, postmasterStart, dealloc, calls, rowsRead, rowsWritten, storageBytes,
                egressBytes, ingressBytes);
    }
}
