package io.stratus.agent.metering;

import java.time.Instant;

/**
 * A compute's cumulative counters at one instant: the front door's tally of its database, and what the compute said of
 * its size.
 *
 * @param statsReset      when the counters started from zero: the {@link WireTally#epoch()} of the agent process that
 *                        counted them (a different one later means they restarted: the agent was restarted)
 * @param postmasterStart {@code pg_postmaster_start_time()}
 * @param dealloc         always 0 now (it counted pg_stat_statements' evictions, which could lose statements; kept so
 *                        that cursors spooled before read the same)
 * @param calls           the tenant's requests so far
 * @param rowsRead        rows read so far
 * @param rowsWritten     rows written so far
 * @param storageBytes    {@code pg_database_size} of the tenant's database now
 * @param egressBytes     bytes sent to the database's clients so far
 * @param ingressBytes    bytes received from them so far
 */
public record CounterReading(Instant statsReset, Instant postmasterStart, long dealloc, long calls, long rowsRead,
                             long rowsWritten, long storageBytes, long egressBytes, long ingressBytes) {

    static CounterReading of(WireTally tally, WireTally.Totals totals, ComputeSizeReader.Size size) {
        return new CounterReading(tally.epoch(), size.postmasterStart(), 0, totals.requests(), totals.rowsRead(),
                totals.rowsWritten(), size.storageBytes(), totals.egressBytes(), totals.ingressBytes());
    }
}
