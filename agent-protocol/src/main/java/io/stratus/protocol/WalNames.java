package io.stratus.protocol;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * WAL file names as Postgres makes them: a segment is {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the segment
 * number in two halves), with the default 16 MB segments. A timeline's history is {@code TTTTTTTT.history}.
 */
public final class WalNames {

    /**
     * The most a WAL segment's time in the backup store trails its switch: the archiver copies it into the compute's
     * spool at once, the agent ships the spool every second, then an upload. Every commit made this long before the
     * newest stored segment's time is in the store: where the recovery window ends.
     */
    public static final Duration ARCHIVE_LAG = Duration.ofSeconds(5);

    /** Postgres' default (and the only size Stratus computes are made with). */
    public static final long SEGMENT_BYTES = 16L * 1024 * 1024;
    private static final long SEGMENTS_PER_XLOGID = 0x1_0000_0000L / SEGMENT_BYTES;
    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");

    private WalNames() {
    }

    /** The segment holding {@code lsn} (text form {@code 0/16B3748}) on {@code timeline}: what pg_walfile_name says. */
    public static String segmentOf(String lsn, long timeline) {
        long position = parseLsn(lsn);
        return segmentName(timeline, position / SEGMENT_BYTES);
    }

    /** The name of segment {@code number} (as {@link #segmentNumber} counts) on {@code timeline}. */
    public static String segmentName(long timeline, long number) {
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, number / SEGMENTS_PER_XLOGID,
                number % SEGMENTS_PER_XLOGID);
    }

    /** The timeline a segment's name starts with. */
    public static long timelineOf(String fileName) {
        return Long.parseLong(fileName.substring(0, 8), 16);
    }

    /** {@code 0/16B3748} as a byte position. */
    public static long parseLsn(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN: " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    public static boolean isSegment(String fileName) {
        return SEGMENT.matcher(fileName).matches();
    }

    /**
     * The segment's position in the WAL, whatever its timeline: segments of later timelines continue the numbering, so
     * "before this backup's first segment" is a comparison of this. Also for {@code .partial} and {@code .backup}
     * files, whose names start with a segment's.
     */
    public static long segmentNumber(String fileName) {
        if (fileName.length() < 24 || !SEGMENT.matcher(fileName.substring(0, 24)).matches()) {
            throw new IllegalArgumentException("not a WAL segment file: " + fileName);
        }
        return Long.parseLong(fileName.substring(8, 16), 16) * SEGMENTS_PER_XLOGID
                + Long.parseLong(fileName.substring(16, 24), 16);
    }

    /** Whether the name is a timeline history file, which every restore after a promotion needs. */
    public static boolean isHistory(String fileName) {
        return fileName.endsWith(".history");
    }
}
