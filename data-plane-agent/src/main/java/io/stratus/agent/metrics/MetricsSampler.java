package io.stratus.agent.metrics;

import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupUsage;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.agent.frontdoor.SessionCounts;
import io.stratus.protocol.ComputeMetrics;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Takes one load sample of every running compute per call ({@link ComputeMetrics}), from counters it diffs against
 * the previous call: the caller calls it about once a second, always from the same thread.
 *
 * <p>Sources, cheapest first: the compute's cgroup when its processes are in one (CPU time, throttled periods,
 * memory in use minus inactive page cache, the limit), else {@code /proc} (the postmaster's and its children's CPU
 * times and an approximate resident set; see {@link ProcStats}); connections and transactions from
 * {@code pg_stat_activity} and {@code pg_stat_database} over one kept-open connection per compute in the maintenance
 * database. A compute appears from its second sample on (a rate needs two readings), and is left out of a round
 * whose readings failed rather than reported with zeros, which would look like an idle compute to scale-to-zero.
 *
 * <p>Rates are per wall-clock second between readings, whatever the interval really was: CPU and throttling between
 * the last two, transactions over the last {@link #TPS_WINDOW} or so. {@code transactionsPerSecond} comes from
 * {@code pg_stat_database}, which backends update at most about once a second, and which also counts autovacuum's
 * transactions: good enough to see load, not to bill by.
 */
@Component
public class MetricsSampler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsSampler.class);
    private static final double NANOS_PER_SECOND = 1e9;
    /**
     * Transactions per second are taken over at least this long: backends publish their counters to
     * pg_stat_database at most once a second, so a one-second difference swings between double and nothing.
     */
    static final Duration TPS_WINDOW = Duration.ofSeconds(2);

    private final ComputeReconciler reconciler;
    private final CgroupDriver cgroups;
    private final SessionCounts frontDoorSessions;
    private final Clock clock;
    private final Map<UUID, Tracked> tracked = new HashMap<>();

    public MetricsSampler(ComputeReconciler reconciler, CgroupDriver cgroups, SessionCounts frontDoorSessions,
                          Clock clock) {
        this.reconciler = reconciler;
        this.frontDoorSessions = frontDoorSessions;
        this.cgroups = cgroups;
        this.clock = clock;
    }

    /** Recent readings (newest last), and the connection to read with. */
    private static final class Tracked {
        final MaintenanceConnection connection = new MaintenanceConnection();
        final Deque<Reading> history = new ArrayDeque<>();
        /**
         * The group's OOM-kill counter at the last read (-1 before the first), and kills not yet reported. Kept apart
         * from the history: an OOM kill makes Postgres reset every session, the sample of that moment fails with its
         * connection, and the history is cleared, but the kill must still reach the next sample.
         */
        long oomKillsSeen = -1;
        int oomKillsPending;

        void countOomKills(long counter) {
            if (oomKillsSeen >= 0 && counter > oomKillsSeen) {
                oomKillsPending += (int) Math.min(Integer.MAX_VALUE, counter - oomKillsSeen);
            }
            oomKillsSeen = counter;
        }

        int takeOomKills() {
            int kills = oomKillsPending;
            oomKillsPending = 0;
            return kills;
        }

        Reading last() {
            return history.peekLast();
        }

        /** Adds a reading, keeping only the newest one that is at least a TPS window older than it, and later ones. */
        void add(Reading now) {
            history.addLast(now);
            while (history.size() > 2) {
                Iterator<Reading> it = history.iterator();
                it.next();
                if (now.atNanos() - it.next().atNanos() < TPS_WINDOW.toNanos()) {
                    break;
                }
                history.removeFirst();
            }
        }
    }

    /**
     * Counters at one instant.
     *
     * @param fromCgroup whether CPU time came from the cgroup (a switch of source makes the next delta meaningless)
     */
    private record Reading(long atNanos, long postmasterPid, boolean fromCgroup, long cpuNanos, long periods,
                           long throttledPeriods, long transactions, long sessions, long frontDoorSessions) {
    }

    /** One sample per running compute that has a previous reading to compare with. */
    public synchronized List<ComputeMetrics> sample() {
        List<ComputeMetrics> samples = new ArrayList<>();
        Set<UUID> running = new HashSet<>();
        for (RunningCompute compute : reconciler.running()) {
            running.add(compute.computeId());
            Tracked t = tracked.computeIfAbsent(compute.computeId(), id -> new Tracked());
            try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", compute.computeId().toString())) {
                sample(compute, t).ifPresent(samples::add);
            } catch (SQLException | RuntimeException e) {
                log.debug("no sample this round: {}", e.getMessage());
                t.history.clear();
            }
        }
        tracked.entrySet().removeIf(e -> {
            if (running.contains(e.getKey())) {
                return false;
            }
            e.getValue().connection.close();
            return true;
        });
        return samples;
    }

    private Optional<ComputeMetrics> sample(RunningCompute compute, Tracked t) throws SQLException {
        Optional<Long> postmaster = compute.cluster().postmasterPid();
        if (postmaster.isEmpty()) {
            t.history.clear();
            return Optional.empty();
        }
        long pid = postmaster.get();
        Optional<CgroupUsage> usage = compute.inCgroup() ? cgroups.usage(compute.computeId()) : Optional.empty();
        usage.ifPresent(u -> t.countOomKills(u.oomKills()));
        OptionalLong cgroupCpu = usage.map(CgroupUsage::cpuUsageNanos).orElse(OptionalLong.empty());
        long at = System.nanoTime();
        OptionalLong cpu = cgroupCpu.isPresent() ? cgroupCpu : ProcStats.cpuNanos(pid);
        if (cpu.isEmpty()) {
            t.history.clear();
            return Optional.empty();
        }
        MaintenanceConnection.Counts counts = t.connection.read(compute.cluster(), compute.databaseName());
        SessionCounts.Snapshot door = frontDoorSessions.snapshot(compute.computeId());
        Reading now = new Reading(at, pid, cgroupCpu.isPresent(), cpu.getAsLong(),
                usage.map(CgroupUsage::cpuPeriods).orElse(0L), usage.map(CgroupUsage::cpuThrottledPeriods).orElse(0L),
                counts.transactions(), counts.sessions(), door.opened());
        Reading before = t.last();
        if (before != null && (before.postmasterPid() != pid || before.fromCgroup() != now.fromCgroup())) {
            // Another postmaster, or CPU from another source: nothing to compare with.
            t.history.clear();
            before = null;
        }
        t.add(now);
        if (before == null) {
            return Optional.empty();
        }
        Reading windowStart = t.history.peekFirst();
        long elapsed = now.atNanos() - before.atNanos();
        long cpuUsed = now.cpuNanos() - before.cpuNanos();
        if (elapsed <= 0 || cpuUsed < 0) {
            // The group was made anew (its counters restart): compare from here on.
            return Optional.empty();
        }
        long periods = now.periods() - before.periods();
        long throttled = now.throttledPeriods() - before.throttledPeriods();
        // Share of the CFS periods in which the compute was runnable that ended with its quota used up.
        double throttledFraction = periods > 0 && throttled >= 0 ? Math.min(1.0, (double) throttled / periods) : 0.0;
        long transactions = now.transactions() - windowStart.transactions();
        double seconds = (now.atNanos() - windowStart.atNanos()) / NANOS_PER_SECOND;
        return Optional.of(new ComputeMetrics(compute.computeId(), clock.instant(), compute.appliedCu(),
                round((double) cpuUsed / elapsed, 1000), round(throttledFraction, 1000),
                usage.map(CgroupUsage::workingSetBytes).orElseGet(() -> ProcStats.workingSetBytes(pid)),
                // The front door sees every client session, also the ones that came and went between two samples
                // and the ones still authenticating; Postgres' own counts stand for any it did not relay.
                usage.map(CgroupUsage::memoryLimitBytes).orElse(0L),
                (int) Math.max(counts.clientConnections(), Math.min(Integer.MAX_VALUE, door.open())),
                transactions >= 0 && seconds > 0 ? round(transactions / seconds, 100) : 0.0,
                t.takeOomKills(), (int) Math.max(0, Math.min(Integer.MAX_VALUE, Math.max(now.sessions() - before.sessions(),
                        now.frontDoorSessions() - before.frontDoorSessions())))));
    }

    /** Closes every kept-open connection. */
    @Override
    public synchronized void close() {
        tracked.values().forEach(t -> t.connection.close());
        tracked.clear();
    }

    private static double round(double value, int scale) {
        return Math.round(value * scale) / (double) scale;
    }
}
