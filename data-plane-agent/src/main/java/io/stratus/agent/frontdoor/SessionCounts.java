package io.stratus.agent.frontdoor;

import io.stratus.agent.computes.StartupsInFlight;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Client sessions the front door relayed to each compute of this node: open now, and opened in all (a counter that
 * only grows, so a reader sees the sessions that came and went between two of its looks). The suspend decision
 * reads them: a session of a few milliseconds counts too.
 */
@Component
public class SessionCounts implements StartupsInFlight {

    private final Map<UUID, Counts> counts = new ConcurrentHashMap<>();

    /** A snapshot for one compute. */
    public record Snapshot(long open, long opened) {
        static final Snapshot NONE = new Snapshot(0, 0);
    }

    private static final class Counts {
        final AtomicLong open = new AtomicLong();
        final AtomicLong opened = new AtomicLong();
        final AtomicLong starting = new AtomicLong();
    }

    /** A session reached the compute and its startup (authentication) is under way. */
    public void startupBegun(UUID computeId) {
        counts.computeIfAbsent(computeId, id -> new Counts()).starting.incrementAndGet();
    }

    /** That startup ended: the first ReadyForQuery, an error, or the session closed. */
    public void startupEnded(UUID computeId) {
        Counts c = counts.get(computeId);
        if (c != null) {
            c.starting.decrementAndGet();
        }
    }

    @Override
    public long of(UUID computeId) {
        Counts c = counts.get(computeId);
        return c == null ? 0 : Math.max(0, c.starting.get());
    }

    /** A client session reached the compute (called by the front door as it relays one). */
    public void opened(UUID computeId) {
        Counts c = counts.computeIfAbsent(computeId, id -> new Counts());
        c.opened.incrementAndGet();
        c.open.incrementAndGet();
    }

    /** That session ended. */
    public void closed(UUID computeId) {
        Counts c = counts.get(computeId);
        if (c != null) {
            c.open.decrementAndGet();
        }
    }

    public Snapshot snapshot(UUID computeId) {
        Counts c = counts.get(computeId);
        return c == null ? Snapshot.NONE : new Snapshot(c.open.get(), c.opened.get());
    }
}
