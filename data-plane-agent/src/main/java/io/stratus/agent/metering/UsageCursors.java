package io.stratus.agent.metering;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The cursor a compute's next window starts from: its durable one from the {@link UsageSpool}, or a fresh one for a
 * compute never metered. Where that start lies before this process first saw the compute, it also tells the
 * {@link CuTimeline} what CU to bill for the time in between.
 *
 * <p>Not thread-safe: the {@link UsageMeter}'s lock guards it.
 */
final class UsageCursors {

    private final UsageSpool spool;
    private final CuTimeline timeline;

    UsageCursors(UsageSpool spool, CuTimeline timeline) {
        this.spool = spool;
        this.timeline = timeline;
    }

    /**
     * The compute's cursor: its durable one, or a fresh one for a compute never metered: from its reading, or without
     * one for a compute already stopped ({@link UsageCursor#unread}); null while any other cannot be read yet.
     * The first time this process meets a cursor spooled by an earlier run, it also settles the CU of the time in
     * between.
     */
    UsageCursor cursorOf(UUID id, CounterReading reading, boolean stopped) {
        Optional<UsageCursor> durable = spool.cursor(id);
        Instant firstSeen = timeline.firstSeen(id);
        if (durable.isEmpty()) {
            BigDecimal cu = timeline.cuAt(id, firstSeen, BigDecimal.ZERO);
            if (reading != null) {
                Instant from = firstSeen;
                Instant started = reading.postmasterStart();
                if (started != null && started.isBefore(firstSeen)) {
                    // An earlier agent started it and died before its first reading: billed from the postmaster's
                    // start at the CU it has now, as it would have been without the crash.
                    timeline.assumeBefore(id, started, cu);
                    from = started;
                }
                return UsageCursor.fresh(id, from, reading, cu);
            }
            return stopped ? UsageCursor.unread(id, firstSeen, cu) : null;
        }
        UsageCursor cursor = durable.get();
        if (cursor.at().isBefore(firstSeen)) {
            boolean keptRunning = reading != null && !reading.postmasterStart().isAfter(cursor.at());
            timeline.assumeBefore(id, cursor.at(), keptRunning ? cursor.cu() : BigDecimal.ZERO);
        }
        return cursor;
    }
}
