package io.stratus.agent.metering;

import java.time.Instant;

/**
 * A compute's cumulative counters at one instant, read over the maintenance connection.
 *
 * @param statsReset      {@code pg_stat_statements_info.stats_reset}: changes on a full reset and when a crash lost
 *                        the statistics (a clean restart keeps them)
 * @param postmasterStart {@code pg_postmaster_start_time()}
 * @param dealloc         {@code pg_stat_statements_info.dealloc}: how often entries were evicted, in the whole cluster
 * @param calls           the tenant's top-level statements so far (sum of {@code calls})
 * @param rowsRead        rows of the tenant's reading statements so far
 * @param rowsWritten     rows of the tenant's writing statements so far
 * @param storageBytes    {@code pg_database_size} of the tenant's database now
 */
public record CounterReading(Instant statsReset, Instant postmasterStart, long dealloc, long calls, long rowsRead,
                             long rowsWritten, long storageBytes) {
}
