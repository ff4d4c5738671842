package io.stratus.agent.metering;

import io.stratus.agent.support.PrivateFiles;
import io.stratus.protocol.UsageRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

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
 * {@link #SEGMENT_RECORDS} records; a new one is started after a failed write, after its records were all
 * acknowledged, and at every open, so that a torn line can only ever be the last line of a segment. Recovery cuts it
 * off.
 *
 * <p>Thread-safe (one lock); the meter appends, the shipper reads and acknowledges.
 */
public final class UsageSpool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageSpool.class);
    static final int SEGMENT_RECORDS = 1000;
    private static final String SEGMENT_PREFIX = "segment-";
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String STATE = "state.json";

    /** state.json. */
    record State(long ackedThrough, long lastSeq, List<PositionedCursor> cursors) {
    }

    /** A cursor and the seq of the line that set it: of two, the higher seq is the newer. */
    record PositionedCursor(long seq, UsageCursor cursor) {
    }

    private static final class Segment {
        final Path path;
        long lastSeq;
        int records;

        Segment(Path path) {
            this.path = path;
        }
    }

    private final Path dir;
    private final SpoolCodec codec = new SpoolCodec();
    private final List<Segment> segments = new ArrayList<>();
    private final Map<UUID, PositionedCursor> cursors = new HashMap<>();
    private long lastSeq;
    private long ackedThrough;
    /** The segment appends go to, open; null when the next append must start a new one. */
    private Segment active;
    private FileChannel activeChannel;

    private UsageSpool(Path dir) {
        this.dir = dir;
    }

    /** Opens the spool in {@code dir} (created 0700 if missing), recovering from whatever a crash left. */
    public static UsageSpool open(Path dir) throws IOException {
        UsageSpool spool = new UsageSpool(dir.toAbsolutePath().normalize());
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
        if (active == null || active.records >= SEGMENT_RECORDS) {
            startSegment(lastSeq + 1);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<SpoolEntry> numbered = new ArrayList<>(drafts.size());
        long seq = lastSeq;
        for (SpoolEntry draft : drafts) {
            SpoolEntry entry = new SpoolEntry(withSeq(draft.record(), ++seq), draft.cursor());
            numbered.add(entry);
            bytes.writeBytes(codec.encode(entry));
        }
        long sizeBefore = activeChannel.size();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
            while (buffer.hasRemaining()) {
                activeChannel.write(buffer);
            }
            activeChannel.force(false);
        } catch (IOException e) {
            abandonActive(sizeBefore);
            throw e;
        }
        lastSeq = seq;
        if (active.records == 0) {
            segments.add(active);
        }
        active.lastSeq = seq;
        active.records += numbered.size();
        for (SpoolEntry entry : numbered) {
            cursors.put(entry.cursor().computeId(), new PositionedCursor(entry.record().seq(), entry.cursor()));
        }
        return numbered.stream().map(SpoolEntry::record).toList();
    }

    /** The compute's latest durable cursor. */
    public synchronized Optional<UsageCursor> cursor(UUID computeId) {
        return Optional.ofNullable(cursors.get(computeId)).map(PositionedCursor::cursor);
    }

    /** Every compute with a cursor. */
    public synchronized Set<UUID> computes() {
        return Set.copyOf(cursors.keySet());
    }

    /** Drops a deleted compute's cursor (from state.json at the next acknowledgement); its records stay until acked. */
    public synchronized void forget(UUID computeId) {
        cursors.remove(computeId);
    }

    /** Up to {@code max} records not acknowledged yet, oldest first. */
    public synchronized List<UsageRecord> pending(int max) throws IOException {
        List<UsageRecord> out = new ArrayList<>();
        for (Segment s : segments) {
            if (s.lastSeq <= ackedThrough) {
                continue;
            }
            for (SpoolEntry e : read(s.path).entries()) {
                if (e.record().seq() > ackedThrough && e.record().seq() <= s.lastSeq) {
                    out.add(e.record());
                    if (out.size() >= max) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /** How many records wait for acknowledgement. */
    public synchronized long pendingCount() {
        return lastSeq - ackedThrough;
    }

    public synchronized long ackedThrough() {
        return ackedThrough;
    }

    /**
     * The control plane stored every record up to {@code throughSeq}: they are dropped (never beyond the last seq
     * used: an acknowledgement of more than was sent acknowledges what was sent).
     */
    public synchronized void acknowledge(long throughSeq) throws IOException {
        long through = Math.min(throughSeq, lastSeq);
        if (through <= ackedThrough) {
            return;
        }
        ackedThrough = through;
        List<Segment> done = segments.stream().filter(s -> s.lastSeq <= ackedThrough).toList();
        if (active != null && done.contains(active)) {
            closeActive();
        }
        // State first: it keeps the cursors and the last seq those segments held.
        writeState();
        for (Segment s : done) {
            Files.deleteIfExists(s.path);
            segments.remove(s);
        }
        if (!done.isEmpty()) {
            PrivateFiles.syncDirectory(dir);
        }
    }

    @Override
    public synchronized void close() {
        closeActive();
    }

    // ---- recovery ----

    private void recover() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.deleteIfExists(dir.resolve(STATE + ".tmp"));
        Path statePath = dir.resolve(STATE);
        if (Files.exists(statePath)) {
            State state;
            try {
                state = codec.json().readValue(Files.readAllBytes(statePath), State.class);
            } catch (JacksonException e) {
                // Written by rename only, so never torn; a broken one was broken by someone else.
                throw new IOException("unreadable usage spool state " + statePath + ": " + e.getOriginalMessage(), e);
            }
            ackedThrough = state.ackedThrough();
            lastSeq = state.lastSeq();
            state.cursors().forEach(this::offer);
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().startsWith(SEGMENT_PREFIX)
                    && p.getFileName().toString().endsWith(SEGMENT_SUFFIX)).sorted().toList();
        }
        boolean deleted = false;
        for (Path file : files) {
            Read read = read(file);
            if (read.validBytes() < read.totalBytes()) {
                log.warn("usage spool {}: cutting off {} bytes of a torn line (a crash mid-append; that append was "
                        + "never taken)", file.getFileName(), read.totalBytes() - read.validBytes());
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(read.validBytes());
                    ch.force(true);
                }
            }
            Segment s = new Segment(file);
            for (SpoolEntry e : read.entries()) {
                long seq = e.record().seq();
                offer(new PositionedCursor(seq, e.cursor()));
                lastSeq = Math.max(lastSeq, seq);
                s.lastSeq = Math.max(s.lastSeq, seq);
                s.records++;
            }
            if (s.records == 0 || s.lastSeq <= ackedThrough) {
                // Empty, or acknowledged and its deletion interrupted: state.json already has what it held.
                Files.delete(file);
                deleted = true;
            } else {
                segments.add(s);
            }
        }
        if (deleted) {
            PrivateFiles.syncDirectory(dir);
        }
        log.info("usage spool {}: {} records pending (seq {} to {})", dir, lastSeq - ackedThrough, ackedThrough + 1, lastSeq);
    }

    private void offer(PositionedCursor candidate) {
        cursors.merge(candidate.cursor().computeId(), candidate, (a, b) -> b.seq() > a.seq() ? b : a);
    }

    private record Read(List<SpoolEntry> entries, int validBytes, int totalBytes) {
    }

    /** The valid lines of a segment, up to the first invalid one. */
    private Read read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<SpoolEntry> entries = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', pos);
            if (nl < 0) {
                break;
            }
            Optional<SpoolEntry> entry = codec.decode(bytes, pos, nl);
            if (entry.isEmpty()) {
                break;
            }
            entries.add(entry.get());
            pos = nl + 1;
        }
        return new Read(entries, pos, bytes.length);
    }

    // ---- writing ----

    private void startSegment(long firstSeq) throws IOException {
        closeActive();
        Path file = dir.resolve(SEGMENT_PREFIX + String.format("%019d", firstSeq) + SEGMENT_SUFFIX);
        // A file of that name can only be an empty leftover of a failed start (its records would have used the seq).
        Files.deleteIfExists(file);
        activeChannel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        PrivateFiles.syncDirectory(dir);
        active = new Segment(file);
    }

    /** A write failed: cut the segment back to its last good line if possible; appends go to a new one anyway. */
    private void abandonActive(long goodSize) {
        try {
            activeChannel.truncate(goodSize);
            activeChannel.force(true);
        } catch (IOException e) {
            log.warn("usage spool: cannot cut {} back after a failed append: {}", active.path.getFileName(), e.getMessage());
        }
        closeActive();
    }

    private void closeActive() {
        if (activeChannel != null) {
            try {
                activeChannel.close();
            } catch (IOException e) {
                // Everything in it was fsync'd when appended.
            }
        }
        activeChannel = null;
        if (active != null && active.records == 0) {
            try {
                Files.deleteIfExists(active.path);
            } catch (IOException e) {
                // An empty segment is skipped (and deleted) at the next open.
            }
        }
        active = null;
    }

    private void writeState() throws IOException {
        PrivateFiles.write(dir.resolve(STATE), codec.json().writeValueAsBytes(
                new State(ackedThrough, lastSeq, List.copyOf(cursors.values()))));
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int k = from; k < bytes.length; k++) {
            if (bytes[k] == b) {
                return k;
            }
        }
        return -1;
    }

    private static UsageRecord withSeq(UsageRecord r, long seq) {
        return new UsageRecord(seq, r.computeId(), r.from(), r.to(), r.requests(), r.rowsRead(), r.rowsWritten(),
                r.cuSeconds(), r.storageBytes(), r.storageByteSeconds(), r.egressBytes(), r.exact(), r.requestSource());
    }
}
