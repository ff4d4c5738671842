package io.stratus.agent.metering;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeStopping;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.ComputesChanged;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.UsageRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import io.stratus.agent.support.Outage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Meters every compute this agent knows (desired or adopted) into the {@link UsageSpool}: every
 * {@code usageInterval}, at every UTC hour boundary, and once more when the agent stops (before its computes are
 * stopped, after the front door has ended its sessions). Requests, rows and egress are the front door's
 * ({@link WireTally}); running computes are read for their size ({@link ComputeSizeReader}); suspended ones accrue
 * storage from their last known size, and no CU and no requests. {@link WindowCutter} decides which windows to spool.
 * Between full passes, every {@link #FLUSH_INTERVAL} the computes whose tally moved are metered too, so that a killed
 * agent loses at most that much of what the front door counted.
 *
 * <p>A compute about to be stopped (suspended) or deleted gets a last pass of its own ({@link ComputeStopping}): its
 * open window, which may span up to {@code usageMaxIdleWindow} of CU-seconds and storage, and the statements since the
 * last pass are read and spooled while its postmaster still runs. A deleted compute is then no longer metered; its
 * spooled records are still delivered.
 * A compute never metered before starts from zero counters: everything its new database has seen is the tenant's.
 * After an agent restart, the time between the last spooled window and now is billed at the CU then in force only if
 * the same postmaster kept running throughout (pg_postmaster_start_time), else at 0.
 *
 * <p>When passes run is {@link MeterSchedule}'s; where a compute's next window starts, {@link UsageCursors}'.
 */
@Component
public class UsageMeter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageMeter.class);

    /** How often what the front door counted is made durable, at the longest. */
    public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private final ComputeReconciler reconciler;
    private final UsageSpool spool;
    private final Clock clock;
    private final CuTimeline timeline = new CuTimeline();
    private final UsageCursors cursors;
    private final WindowCutter cutter;
    private final MeterSchedule schedule;
    private final Map<UUID, ComputeSizeReader> readers = new HashMap<>();
    private final WireTally tally;
    private final Duration interval;
    private Instant lastFullPass = Instant.EPOCH;
    private final Outage spoolOutage = new Outage(log, "write the usage spool", Level.ERROR);

    @Autowired
    public UsageMeter(ComputeReconciler reconciler, UsageSpool spool, WireTally tally, Clock clock,
                      AgentSettings settings) {
        this(reconciler, spool, tally, clock, settings.usageInterval(), settings.usageMaxIdleWindow());
    }

    public UsageMeter(ComputeReconciler reconciler, UsageSpool spool, WireTally tally, Clock clock, Duration interval,
                      Duration maxIdleWindow) {
        this.reconciler = reconciler;
        this.tally = tally;
        this.interval = interval;
        this.spool = spool;
        this.clock = clock;
        this.cursors = new UsageCursors(spool, timeline);
        this.cutter = new WindowCutter(timeline, maxIdleWindow);
        this.schedule = new MeterSchedule(clock, interval.compareTo(FLUSH_INTERVAL) < 0 ? interval : FLUSH_INTERVAL);
    }

    /** The CU each compute has from now on, as the reconciler just observed it (0 while stopped). */
    @EventListener
    public void onComputesChanged(ComputesChanged event) {
        Instant now = clock.instant();
        boolean cuChanged = false;
        for (ComputeStatus s : event.observation().computes()) {
            BigDecimal cu = cuOf(s);
            BigDecimal before = timeline.cuAt(s.computeId(), now, null);
            cuChanged |= before != null && before.compareTo(cu) != 0;
            timeline.observe(s.computeId(), now, cu);
        }
        if (cuChanged) {
            // The change is only in memory until a pass spools the window it ends: an agent killed before the next
            // scheduled pass (up to usage-interval away) had its successor bill the time since at the old CU.
            schedule.runSoon(this::passQuietly);
        }
    }

    private void passQuietly() {
        try {
            meter();
        } catch (RuntimeException e) {
            log.warn("usage metering pass after a CU change failed: {}", e.getMessage());
        }
    }

    /**
     * One metering pass over every known compute; returns the records it spooled (durably). Also what tests call to
     * flush usage into the spool.
     */
    public List<UsageRecord> meter() {
        return meterAll(false);
    }

    /** @param last the agent is stopping, and its computes with it: every open window is cut up to now */
    private synchronized List<UsageRecord> meterAll(boolean last) {
        Instant now = clock.instant();
        lastFullPass = now;
        Map<UUID, RunningCompute> running = new HashMap<>();
        reconciler.running().forEach(r -> running.put(r.computeId(), r));
        Set<UUID> known = new HashSet<>();
        List<SpoolEntry> entries = new ArrayList<>();
        for (ComputeStatus status : reconciler.observe().computes()) {
            known.add(status.computeId());
            entries.addAll(meter(status, running.get(status.computeId()), now, last));
        }
        forgetAllBut(known);
        return spool(entries);
    }

    /**
     * Spools what the front door counted since each running compute's cursor, so that it is durable within
     * {@link #FLUSH_INTERVAL}; nothing else is read: the size and postmaster start are the cursor's (the last full
     * pass's), so a busy compute costs no query a second. A compute with no cursor cut from this tally yet (new, or
     * the agent restarted) gets a full reading instead.
     */
    synchronized List<UsageRecord> flushWire() {
        Instant now = clock.instant();
        List<SpoolEntry> entries = new ArrayList<>();
        Map<UUID, ComputeStatus> statuses = null;
        for (RunningCompute compute : reconciler.running()) {
            UUID id = compute.computeId();
            WireTally.Totals totals = tally.totals(id);
            UsageCursor cursor = spool.cursor(id).orElse(null);
            if (cursor != null && cursor.cutFrom(tally.epoch())) {
                if (!cursor.holds(totals)) {
                    entries.addAll(cutter.cut(cursor, cursor.withCounts(totals), now));
                }
            } else if (!totals.equals(WireTally.Totals.NONE)) {
                if (statuses == null) {
                    statuses = new HashMap<>();
                    for (ComputeStatus st : reconciler.observe().computes()) {
                        statuses.put(st.computeId(), st);
                    }
                }
                ComputeStatus status = statuses.get(id);
                if (status != null) {
                    entries.addAll(meter(status, compute, now, false));
                }
            }
        }
        return spool(entries);
    }

    /**
     * The last pass of a compute about to be stopped or deleted, on the reconcile thread before its postmaster goes:
     * its open window is spooled up to now, with the statements run since the last pass if it can still be read.
     */
    @EventListener
    public synchronized void onComputeStopping(ComputeStopping event) {
        Instant now = clock.instant();
        UUID id = event.computeId();
        RunningCompute running = reconciler.running().stream().filter(r -> r.computeId().equals(id)).findFirst()
                .orElse(null);
        reconciler.observe().computes().stream().filter(s -> s.computeId().equals(id)).findFirst()
                .ifPresent(status -> spool(meter(status, running, now, true)));
    }

    /**
     * Reads one compute (if its postmaster runs) and cuts what is due. A running compute that cannot be read keeps its
     * window open (nothing is lost: the next pass that reads it closes it), unless this is its last pass: then its
     * CU-seconds and storage are spooled without the statements since the last reading (read on its resume if it is only
     * stopped, lost with its data if it is deleted).
     */
    private List<SpoolEntry> meter(ComputeStatus status, RunningCompute compute, Instant now, boolean last) {
        UUID id = status.computeId();
        timeline.observe(id, now, cuOf(status));
        CounterReading reading = null;
        if (compute != null) {
            try {
                // The tally first: the counts a reading holds happened before its end, which is now.
                WireTally.Totals totals = tally.totals(id);
                reading = CounterReading.of(tally, totals, readers.computeIfAbsent(id, k -> new ComputeSizeReader())
                        .read(compute.cluster(), compute.databaseName()));
            } catch (SQLException | RuntimeException e) {
                if (!last) {
                    log.debug("compute {}: no usage reading this pass: {}", id, e.getMessage());
                    return List.of();
                }
                log.warn("compute {} is stopping and its usage cannot be read: its CU-seconds and storage are spooled "
                        + "without the statements since the last reading ({})", id, e.getMessage());
            }
        }
        UsageCursor cursor = cursors.cursorOf(id, reading, status.phase() == ComputePhase.STOPPED);
        return cursor == null ? List.of() : cutter.cut(cursor, reading, now, last);
    }

    /** Spools the entries durably and moves the cursors; returns the records written. */
    private List<UsageRecord> spool(List<SpoolEntry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        try {
            List<UsageRecord> spooled = spool.append(entries);
            entries.forEach(e -> timeline.forgetBefore(e.cursor().computeId(), e.cursor().at()));
            spoolOutage.succeeded();
            return spooled;
        } catch (IOException e) {
            // Not taken: the cursors did not move, so the next pass meters the same span again, and more.
            spoolOutage.failed(e.getMessage());
            return List.of();
        }
    }

    private void forgetAllBut(Set<UUID> known) {
        for (UUID id : spool.computes()) {
            if (!known.contains(id)) {
                spool.forget(id);
            }
        }
        tally.retainOnly(known);
        readers.entrySet().removeIf(e -> {
            if (known.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            return true;
        });
        timeline.retainOnly(known);
    }

    private static BigDecimal cuOf(ComputeStatus s) {
        return s.appliedCu() == null ? BigDecimal.ZERO : s.appliedCu();
    }

    // ---- lifecycle ----

    @Override
    public void start() {
        schedule.start(this::scheduledPass);
    }

    /** Catches what a pass throws: one failed pass must not end the schedule. */
    private void scheduledPass() {
        try {
            Instant now = clock.instant();
            boolean full;
            synchronized (this) {
                full = Duration.between(lastFullPass, now).compareTo(interval) >= 0
                        || !now.truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                        .equals(lastFullPass.truncatedTo(java.time.temporal.ChronoUnit.HOURS));
            }
            if (full) {
                meter();
            } else {
                flushWire();
            }
        } catch (RuntimeException e) {
            log.warn("usage metering pass failed", e);
        }
    }

    /**
     * A last pass while the computes still run, so the time up to the agent's stop is spooled with what it used: every
     * open window is cut, idle ones too. The reconciler stops the postmasters next, and the next agent bills nothing
     * for a time its postmaster did not run through, so a window left open (idle ones stay open for minutes) was lost:
     * an exploratory pass lost 127 CU-seconds in one clean stop of six computes.
     */
    @Override
    public void stop() {
        if (!schedule.stop()) {
            return;
        }
        try {
            meterAll(true);
        } catch (RuntimeException e) {
            log.warn("last usage metering pass failed", e);
        }
        synchronized (this) {
            readers.values().forEach(ComputeSizeReader::close);
            readers.clear();
        }
    }

    @Override
    public boolean isRunning() {
        return schedule.isRunning();
    }

    @Override
    public int getPhase() {
        // Stopped before the reconciler stops the postmasters it reads.
        return ComputeReconciler.PHASE + 260;
    }
}
