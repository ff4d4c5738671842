package io.stratus.agent.metering;

import io.stratus.protocol.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a compute's cursor and what was read now into the records (and new cursors) to spool.
 *
 * <p>A window runs from the cursor to now, but never across a UTC hour boundary: one that reaches a boundary ends
 * there, and the time after it starts a new window (several, after a long gap). A window is cut (spooled) when
 * something must become durable: the counters moved (or were reset), the stored size or the CU changed, an hour ended,
 * or it has grown to {@code maxIdleWindow}. Otherwise it stays open and the next sample extends it, which keeps an
 * idle compute's spool small without losing anything: its CU-seconds and byte-seconds accrue at a constant rate, so
 * one long window says the same as many short ones.
 *
 * <p>Counter deltas go into the first window cut; the ones after it in the same pass carry only CU-seconds and
 * storage. Storage byte-seconds are the last known size (the cursor's) times the window's length: the size held since
 * it was measured.
 */
final class WindowCutter {

    static final String REQUEST_SOURCE = "front-door";

    private final CuTimeline timeline;
    private final Duration maxIdleWindow;

    WindowCutter(CuTimeline timeline, Duration maxIdleWindow) {
        this.timeline = timeline;
        this.maxIdleWindow = maxIdleWindow;
    }

    /** {@link #cut(UsageCursor, CounterReading, Instant, boolean)} for a compute that stays. */
    List<SpoolEntry> cut(UsageCursor cursor, CounterReading reading, Instant now) {
        return cut(cursor, reading, now, false);
    }

    /**
     * @param cursor  where the compute's metering stands
     * @param reading the counters now, or null when none could be read (suspended): they are taken as unchanged
     * @param now     the end of the span to meter
     * @param last    the compute is about to go: its open window is cut up to {@code now} even if nothing moved
     * @return the windows to spool, oldest first, each with its compute's cursor after it (none while nothing needs to
     *         become durable yet)
     */
    List<SpoolEntry> cut(UsageCursor cursor, CounterReading reading, Instant now, boolean last) {
        List<SpoolEntry> out = new ArrayList<>();
        CounterReading current = reading != null ? reading : cursor.asReading();
        CounterDelta delta = reading != null ? CounterDelta.between(cursor, reading) : CounterDelta.NONE;
        UsageCursor c = cursor;
        while (c.at().isBefore(now)) {
            Instant boundary = c.at().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
            boolean hourEnds = !now.isBefore(boundary);
            Instant end = hourEnds ? boundary : now;
            boolean cuChanged = timeline.changedWithin(c.computeId(), c.at(), end, c.cu());
            boolean grownLong = Duration.between(c.at(), end).compareTo(maxIdleWindow) >= 0;
            if (!last && !hourEnds && !cuChanged && !grownLong && !moved(c, current) && delta.exact()) {
                break;
            }
            BigDecimal cuAtEnd = timeline.cuAt(c.computeId(), end, c.cu());
            UsageRecord record = new UsageRecord(0, c.computeId(), c.at(), end, delta.calls(), delta.rowsRead(),
                    delta.rowsWritten(), timeline.cuSeconds(c.computeId(), c.at(), end, c.cu()), current.storageBytes(),
                    byteSeconds(c.storageBytes(), c.at(), end), delta.egressBytes(), delta.exact(), REQUEST_SOURCE,
                    delta.ingressBytes());
            c = c.advance(end, current, cuAtEnd);
            out.add(new SpoolEntry(record, c));
            delta = CounterDelta.NONE;
        }
        return out;
    }

    /** Whether the reading differs from the cursor in anything the cursor keeps. */
    private static boolean moved(UsageCursor c, CounterReading r) {
        return !Objects.equals(c.statsReset(), r.statsReset()) || !Objects.equals(c.postmasterStart(), r.postmasterStart())
                || c.dealloc() != r.dealloc() || c.calls() != r.calls() || c.rowsRead() != r.rowsRead()
                || c.rowsWritten() != r.rowsWritten() || c.storageBytes() != r.storageBytes()
                || c.egressBytes() != r.egressBytes() || c.ingressBytes() != r.ingressBytes();
    }

    private static long byteSeconds(long bytes, Instant from, Instant to) {
        long millis = Duration.between(from, to).toMillis();
        if (bytes <= 0 || millis <= 0) {
            return 0;
        }
        // bytes x millis overflows a long past ~2.5 TB-hours; the division floors (a fraction of a byte-second).
        return BigDecimal.valueOf(bytes).multiply(BigDecimal.valueOf(millis, 3)).longValue();
    }
}
