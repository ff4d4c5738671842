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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's segment files, {@code segment-<first seq, 19 digits>.log}: append-only lines in the {@link SpoolCodec}
 * format, each a record and its compute's new cursor.
 *
 * <p>A segment holds at most {@link #SEGMENT_RECORDS} records; a new one is started after a failed write, after its
 * records were all acknowledged, and at every open, so that a torn line can only ever be the last line of a segment.
 * Recovery cuts it off.
 *
 * <p>Not thread-safe: the {@link UsageSpool}'s lock guards it.
 */
final class SpoolSegments {

    // The spool's messages keep the logger name operators know them by.
    private static final Logger log = LoggerFactory.getLogger(UsageSpool.class);
    static final int SEGMENT_RECORDS = 1000;
    private static final String SEGMENT_PREFIX = "segment-";
    private static final String SEGMENT_SUFFIX = ".log";

    /** One segment file: the highest seq in it and how many records it holds. */
    static final class Segment {
        final Path path;
        long lastSeq;
        int records;

        Segment(Path path) {
            this.path = path;
        }
    }

    private record Read(List<SpoolEntry> entries, int validBytes, int totalBytes) {
    }

    private final Path dir;
    private final SpoolCodec codec;
    private final List<Segment> segments = new ArrayList<>();
    /** The segment appends go to, open; null when the next append must start a new one. */
    private Segment active;
    private FileChannel activeChannel;

    SpoolSegments(Path dir, SpoolCodec codec) {
        this.dir = dir;
        this.codec = codec;
    }

    /**
     * Reads every segment on disk into {@code state} (already loaded from state.json), cutting off a torn last line,
     * and deletes the ones with nothing left to deliver.
     */
    void recover(SpoolState state) throws IOException {
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
                state.recovered(e);
                s.lastSeq = Math.max(s.lastSeq, seq);
                s.records++;
            }
            if (s.records == 0 || s.lastSeq <= state.ackedThrough()) {
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
    }

    /** Appends the numbered entries, durably: returns once they are fsync'd, in a new segment if need be. */
    void append(List<SpoolEntry> numbered) throws IOException {
        if (active == null || active.records >= SEGMENT_RECORDS) {
            start(numbered.get(0).record().seq());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (SpoolEntry entry : numbered) {
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
        if (active.records == 0) {
            segments.add(active);
        }
        active.lastSeq = numbered.get(numbered.size() - 1).record().seq();
        active.records += numbered.size();
    }

    /** Up to {@code max} records after {@code ackedThrough}, oldest first. */
    List<UsageRecord> pending(long ackedThrough, int max) throws IOException {
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

    /**
     * The segments whose records are all acknowledged, for {@link #delete} once state.json has what they held; the
     * active one among them is closed, so appends start a new one.
     */
    List<Segment> acknowledged(long ackedThrough) {
        List<Segment> done = segments.stream().filter(s -> s.lastSeq <= ackedThrough).toList();
        if (active != null && done.contains(active)) {
            closeActive();
        }
        return done;
    }

    void delete(List<Segment> done) throws IOException {
        for (Segment s : done) {
            Files.deleteIfExists(s.path);
            segments.remove(s);
        }
        if (!done.isEmpty()) {
            PrivateFiles.syncDirectory(dir);
        }
    }

    void close() {
        closeActive();
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

    private void start(long firstSeq) throws IOException {
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

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int k = from; k < bytes.length; k++) {
            if (bytes[k] == b) {
                return k;
            }
        }
        return -1;
    }
}
