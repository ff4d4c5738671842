package io.stratus.protocol;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * Usage of one compute over one window, as the agent metered it. Counters are deltas for the window, never totals, so
 * the control plane only ever adds them up. A window never crosses a UTC hour boundary, so every record belongs to
 * exactly one hour.
 *
 * @param seq                the agent's spool sequence number: increasing, never reused; the control plane stores
 *                           each (node, seq) once, so a record delivered twice is counted once
 * @param computeId          the compute (the database's id)
 * @param from               window start, inclusive
 * @param to                 window end, exclusive
 * @param requests           top-level statements run by the tenant's roles in the tenant's database
 *                           ({@code pg_stat_statements} calls; see {@code requestSource})
 * @param rowsRead           rows returned by the tenant's reading statements (SELECT, COPY TO, ...)
 * @param rowsWritten        rows affected by the tenant's writing statements (INSERT, UPDATE, DELETE, MERGE, COPY FROM)
 * @param cuSeconds          capacity units granted times seconds the compute ran in the window (0 while suspended)
 * @param storageBytes       {@code pg_database_size} of the tenant's database at the end of the window (the last known
 *                           size while suspended)
 * @param storageByteSeconds bytes stored integrated over the window, for GB-month billing
 * @param egressBytes        bytes the front door sent to the database's clients (protocol bytes, not TLS framing)
 * @param exact              false when the counters may have lost something in this window (statistics evicted)
 * @param requestSource      where {@code requests} came from: {@code front-door} (earlier agents:
 *                           {@code pg_stat_statements})
 * @param ingressBytes       bytes the front door received from the database's clients; null from agents older than it
 */
public record UsageRecord(long seq, UUID computeId, Instant from, Instant to, long requests, long rowsRead,
                          long rowsWritten, BigDecimal cuSeconds, long storageBytes, long storageByteSeconds,
                          long egressBytes, boolean exact, String requestSource, Long ingressBytes) {

    /** A record without ingress, as agents before wire metering sent them. */
    public UsageRecord(long seq, UUID computeId, Instant from, Instant to, long requests, long rowsRead,
                       long rowsWritten, BigDecimal cuSeconds, long storageBytes, long storageByteSeconds,
                       long egressBytes, boolean exact, String requestSource) {
        this(seq, computeId, from, to, requests, rowsRead, rowsWritten, cuSeconds, storageBytes, storageByteSeconds,
                egressBytes, exact, requestSource, null);
    }
}
