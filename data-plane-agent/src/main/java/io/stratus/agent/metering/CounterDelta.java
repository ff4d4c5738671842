package io.stratus.agent.metering;

import java.util.Objects;

/**
 * What the tenant's counters grew by between a cursor and a reading, with resets told apart from growth.
 *
 * <ul>
 *   <li>{@code statsReset} changed: the counters started over (an agent restart: the front door's tally is in memory;
 *       cursors spooled by agents that read pg_stat_statements also differ); everything counted now happened since,
 *       so the current values are the delta. Requests between the cursor and the restart may be gone: inexact.
 *   <li>{@code dealloc} grew: entries were evicted, taking their counts with them; a sum that went down is not a reset
 *       (the remaining entries were counted before), so the delta is what grew, never less than 0: inexact.
 *   <li>A sum went down otherwise: entries were reset selectively (only a superuser can); what grew is the delta,
 *       never less than 0: inexact. Counting the current value instead would bill again the history of every entry
 *       that was not reset.
 *   <li>The cursor's sums were made with other classification rules ({@link UsageCursor#sameRules()}: an agent
 *       upgrade that moved statements between sums): nothing can be set against them; the reading becomes the
 *       baseline and the window counts nothing: inexact. Under-counting one window beats billing a compute's whole
 *       history again.
 *   <li>No {@code stats_reset} in the cursor: its baseline was taken without a reading, before the first one; the
 *       current values are the delta, exact unless entries were ever evicted.
 * </ul>
 */
record CounterDelta(long calls, long rowsRead, long rowsWritten, long egressBytes, long ingressBytes, boolean exact) {

    static final CounterDelta NONE = new CounterDelta(0, 0, 0, 0, 0, true);

    static CounterDelta between(UsageCursor before, CounterReading now) {
        if (before.statsReset() == null) {
            // A baseline taken without a reading (UsageCursor.unread): everything counted is since creation.
            return new CounterDelta(now.calls(), now.rowsRead(), now.rowsWritten(), now.egressBytes(), now.ingressBytes(),
                    now.dealloc() == 0);
        }
        boolean reset = !Objects.equals(now.statsReset(), before.statsReset());
        if (reset) {
            // Counted from zero since the reset, whatever rules the cursor's sums were made with.
            return new CounterDelta(now.calls(), now.rowsRead(), now.rowsWritten(), now.egressBytes(), now.ingressBytes(),
                    false);
        }
        if (!before.sameRules()) {
            return new CounterDelta(0, 0, 0, 0, 0, false);
        }
        boolean evicted = now.dealloc() > before.dealloc();
        long calls = now.calls() - before.calls();
        long read = now.rowsRead() - before.rowsRead();
        long written = now.rowsWritten() - before.rowsWritten();
        long egress = now.egressBytes() - before.egressBytes();
        long ingress = now.ingressBytes() - before.ingressBytes();
        boolean wentDown = calls < 0 || read < 0 || written < 0 || egress < 0 || ingress < 0;
        return new CounterDelta(Math.max(0, calls), Math.max(0, read), Math.max(0, written), Math.max(0, egress),
                Math.max(0, ingress), !evicted && !wentDown);
    }
}
