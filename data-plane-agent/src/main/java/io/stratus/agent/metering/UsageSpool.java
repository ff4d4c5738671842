package io.stratus.agent.metering;

import io.stratus.protocol.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable usage spool: metered records wait here, in sequence, until the control plane acknowledges them.
 *
 * <p>On disk, in its own directory:
 * <pre>
 * segment-&lt;first seq, 19 digits&gt;.log   append-only lines (see {@link SpoolCodec}): a record, its compute's new cursor
 * state.json                          acknowledged-through seq, last seq used, and every compute's latest cursor,
 *                                     replaced atomically (temp file, fsync, rename, directory fsync)
 * </pre>
 * An append writes all its lines and fsyncs once before it returns: only then does the meter treat them as taken.
 * A record and the cursor it moves its compute to are one line, so they are durable together: after a kill -9 at any
 * point, the compute's cursor is the one in its last complete line (or in state.json, whichever has the higher seq),
 * and the next window starts exactly where the last durable one ended.
 *
 * <p>Acknowledged segments are dropped after state.json has been written, so the cursors they held and the highest
 * seq used survive their deletion: sequence numbers are never reused. A segment holds at most
 * {@link SpoolSegments#SEGMENT_RECORDS} records; a new one is started after a failed write, after its records were
 * all acknowledged, and at every open, so that a torn line can only ever be the last line of a segment. Recovery cuts
 * it off.
 *
 * <p>This class numbers records and keeps the order of the steps; {@link SpoolSegments} does the segment files,
 * {@link SpoolState} the cursors, the seqs and state.json.
 *
 * <p>Thread-safe (one lock, which also guards those two); the meter appends, the shipper reads and acknowledges.
 */
public final class UsageSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageSpool.class);

    private final Path dir;
    private final SpoolState state;
    private final SpoolSegments segments;

    private UsageSpool(Path dir, SpoolState state, SpoolSegments segments) {
        this.dir = dir;
        this.state = state;
        this.segments = segments;
    }

    /** Opens the spool in {@code dir} (created 0700 if missing), recovering from whatever a crash left. */
    public static UsageSpool open(Path dir) throws IOException {
        Path normalized = dir.toAbsolutePath().normalize();
        SpoolCodec codec = new SpoolCodec();
        UsageSpool spool = new UsageSpool(normalized, new SpoolState(normalized, codec),
                new SpoolSegments(normalized, codec));
        spool.recover();
        return spool;
    }

    /**
     * Gives each draft the next sequence number and appends them, durably: returns once they are fsync'd. The drafts'
     * own seqs are ignored.
     *
     * @return the records as spooled, with their seqs
     */
    public synchronized List<UsageRecord> append(List<SpoolEntry> drafts) throws IOException {
        if (drafts.isEmpty()) {
            return List.of();
        }
        List<SpoolEntry> numbered = new ArrayList<>(drafts.size());
        long seq = state.lastSeq();
        for (SpoolEntry draft : drafts) {
            numbered.add(new SpoolEntry(withSeq(draft.record(), ++seq), draft.cursor()));
        }
        segments.append(numbered);
        // Only once durable: a failed append neither uses the seqs nor moves the cursors.
        state.appended(numbered);
        return numbered.stream().map(SpoolEntry::record).toList();
    }

    /** The compute's latest durable cursor. */
    public synchronized Optional<UsageCursor> cursor(UUID computeId) {
        return state.cursor(computeId);
    }

    /** Every compute with a cursor. */
    public synchronized Set<UUID> computes() {
        return state.computes();
    }

    /** Drops a deleted compute's cursor (from state.json at the next acknowledgement); its records stay until acked. */
    public synchronized void forget(UUID computeId) {
        state.forget(computeId);
    }

    /** Up to {@code max} records not acknowledged yet, oldest first. */
    public synchronized List<UsageRecord> pending(int max) throws IOException {
        return segments.pending(state.ackedThrough(), max);
    }

    /** How many records wait for acknowledgement. */
    public synchronized long pendingCount() {
        return state.lastSeq() - state.ackedThrough();
    }

    public synchronized long ackedThrough() {
        return state.ackedThrough();
    }

    /**
     * The control plane stored every record up to {@code throughSeq}: they are dropped (never beyond the last seq
     * used: an acknowledgement of more than was sent acknowledges what was sent).
     */
    public synchronized void acknowledge(long throughSeq) throws IOException {
        if (!state.acknowledge(throughSeq)) {
            return;
        }
        List<SpoolSegments.Segment> done = segments.acknowledged(state.ackedThrough());
        // State first: it keeps the cursors and the last seq those segments held.
        state.write();
        segments.delete(done);
    }

    @Override
    public synchronized void close() {
        segments.close();
    }

    private void recover() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        state.load();
        segments.recover(state);
        long lastSeq = state.lastSeq();
        long ackedThrough = state.ackedThrough();
        log.info("usage spool {}: {} records pending (seq {} to {})", dir, lastSeq - ackedThrough, ackedThrough + 1, lastSeq);
    }

    private static UsageRecord withSeq(UsageRecord r, long seq) {
        return new UsageRecord(seq, r.computeId(), r.from(), r.to(), r.requests(), r.rowsRead(), r.rowsWritten(),
                r.cuSeconds(), r.storageBytes(), r.storageByteSeconds(), r.egressBytes(), r.exact(), r.requestSource(),
                r.ingressBytes());
    }
}
