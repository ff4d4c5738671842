package io.stratus.agent.metering;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.stereotype.Component;

/**
 * What the front door saw on the wire, per database, since this agent process started: requests, rows read and written
 * (from the command tags), bytes sent to and received from clients. Sessions add to it on their event loops, the
 * {@link UsageMeter} reads the totals (a reading sets them against the compute's cursor, as it did pg_stat_statements'
 * counters) and spools what grew at least every {@code usage-flush-interval}.
 *
 * <p>Totals live in memory only: a killed agent loses what was added since the last flush, and its successor starts a
 * new {@link #epoch()} from zero, which the cursor tells apart from growth (the window after it is marked inexact).
 */
@Component
public class WireTally {

    private final Instant epoch = Instant.now();
    private final ConcurrentHashMap<UUID, Counters> databases = new ConcurrentHashMap<>();

    /** When these totals started from zero: the {@code statsReset} of every reading made from them. */
    public Instant epoch() {
        return epoch;
    }

    /** The database's counters, for a session to add to (looked up once per session). */
    public Counters of(UUID databaseId) {
        return databases.computeIfAbsent(databaseId, id -> new Counters());
    }

    /** The database's totals now; zeros for one no session has reached. */
    public Totals totals(UUID databaseId) {
        Counters c = databases.get(databaseId);
        return c == null ? Totals.NONE : c.totals();
    }

    /** Drops the counters of databases no longer on this node (deleted, or moved away). */
    public void retainOnly(java.util.Set<UUID> databaseIds) {
        databases.keySet().retainAll(databaseIds);
    }

    /** One database's running totals: adders, since many sessions on several event loops add at once. */
    public static final class Counters {
        private final LongAdder requests = new LongAdder();
        private final LongAdder rowsRead = new LongAdder();
        private final LongAdder rowsWritten = new LongAdder();
        private final LongAdder egressBytes = new LongAdder();
        private final LongAdder ingressBytes = new LongAdder();

        public void add(long requests, long rowsRead, long rowsWritten, long egressBytes, long ingressBytes) {
            if (requests != 0) {
                this.requests.add(requests);
            }
            if (rowsRead != 0) {
                this.rowsRead.add(rowsRead);
            }
            if (rowsWritten != 0) {
                this.rowsWritten.add(rowsWritten);
            }
            if (egressBytes != 0) {
                this.egressBytes.add(egressBytes);
            }
            if (ingressBytes != 0) {
                this.ingressBytes.add(ingressBytes);
            }
        }

        Totals totals() {
            return new Totals(requests.sum(), rowsRead.sum(), rowsWritten.sum(), egressBytes.sum(), ingressBytes.sum());
        }
    }

    /** A database's totals at one moment. */
    public record Totals(long requests, long rowsRead, long rowsWritten, long egressBytes, long ingressBytes) {
        public static final Totals NONE = new Totals(0, 0, 0, 0, 0);
    }
}
