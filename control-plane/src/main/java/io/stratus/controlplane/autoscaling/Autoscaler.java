package io.stratus.controlplane.autoscaling;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.databases.CapacityControl;
import io.stratus.controlplane.databases.LockOrder;
import io.stratus.controlplane.databases.CapacityControl.Capacity;
import io.stratus.controlplane.databases.DatabaseCapacityChanged;
import io.stratus.controlplane.databases.DatabaseState;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.protocol.ComputeMetrics;
import io.stratus.protocol.MetricsReport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The autoscaling loop, driven by the agents' per-second samples: record the sample, then decide at once with
 * {@link ScalingPolicy} (up immediately, down after the window), cap a scale-up by what the node has left, and
 * suspend a compute that had no connections for its idle timeout. Every change is a scaling event with its reason
 * and the numbers behind it. The entry point of the autoscaling feature.
 */
@Service
public class Autoscaler {

    private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

    private final CapacityControl capacity;
    private final Fleet fleet;
    private final ScalingHistory history;
    private final LoadWindows windows;
    private final ScalingPolicy policy;
    private final AutoscalingSettings settings;
    private final BigDecimal step;
    private final Clock clock;
    private final Map<UUID, BigDecimal> lastCapNotice = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<UUID, Instant> lastMaxCuNotice = new java.util.concurrent.ConcurrentHashMap<>();

    Autoscaler(CapacityControl capacity, Fleet fleet, ScalingHistory history, LoadWindows windows,
               AutoscalingSettings settings, StratusSettings stratus, Clock clock) {
        this.capacity = capacity;
        this.fleet = fleet;
        this.history = history;
        this.windows = windows;
        this.settings = settings;
        this.step = stratus.cuStep();
        this.policy = new ScalingPolicy(settings.policy(stratus.cuStep()));
        this.clock = clock;
    }

    @Transactional
    public void onMetrics(UUID nodeId, MetricsReport report) {
        if (report.samples() == null) {
            return;
        }
        Instant now = clock.instant();
        // Each sample's database row is locked until commit, in the order the node's status report locks them.
        List<ComputeMetrics> samples = report.samples().stream().filter(m -> m.computeId() != null)
                .sorted(java.util.Comparator.comparing(ComputeMetrics::computeId, LockOrder.BY_ID)).toList();
        List<Map.Entry<ComputeMetrics, Capacity>> locked = new java.util.ArrayList<>();
        for (ComputeMetrics m : samples) {
            capacity.onNode(m.computeId(), nodeId).ifPresent(c -> locked.add(Map.entry(m, c)));
        }
        if (locked.isEmpty()) {
            return;
        }
        // Then the node row, as every writer takes it after its database rows: a scale-up reads what the others hold
        // under it, so a placement or a minCu raise committing meanwhile cannot take the same CU.
        fleet.lock(nodeId);
        for (Map.Entry<ComputeMetrics, Capacity> e : locked) {
            onSample(e.getValue(), e.getKey(), now);
        }
    }

    private void onSample(Capacity c, ComputeMetrics m, Instant now) {
        history.recordSample(c.id(), m);
        Instant lastActive = c.lastActiveAt();
        // A connection seen in the second's snapshot, or a client session started in that second: clients that connect,
        // run a statement and leave within a few milliseconds (a psql -c, a serverless function) are never in a
        // snapshot. Not transactions: autovacuum commits some in every database it visits, every naptime (a minute),
        // and counting them kept an idle database awake forever under the default 5-minute timeout.
        // An agent that predates session counts (a rolling upgrade) is judged as it was then, by transactions.
        boolean sessionsStarted = m.newSessions() != null ? m.newSessions() > 0 : m.transactionsPerSecond() > 0;
        if (m.activeConnections() > 0 || sessionsStarted) {
            capacity.markActive(c.id(), now);
            lastActive = now;
        }
        // A compute whose processes the kernel killed for memory wanted at least all it had: its working set right
        // after the kill (the killed backend's memory freed) would say it needs less than ever.
        int oomKills = m.oomKills() == null ? 0 : m.oomKills();
        long memory = oomKills > 0 ? Math.max(m.memoryWorkingSetBytes(), m.memoryLimitBytes()) : m.memoryWorkingSetBytes();
        List<ScalingPolicy.Sample> window = windows.add(c.id(), new ScalingPolicy.Sample(now, m.allowedCu(),
                m.cpuUsedCores(), m.throttledFraction(), memory, m.activeConnections(),
                m.transactionsPerSecond()), now);
        if (oomKills > 0) {
            history.recordEvent(c.id(), c.tenantId(), now, c.currentCu(), c.currentCu(), outOfMemory(c, m, oomKills),
                    metrics(m, null));
            log.warn("database {}: {} process(es) killed for memory at {} CU", c.id(), oomKills, c.currentCu());
        }
        if (!c.running() || c.state() != DatabaseState.RUNNING) {
            return;
        }
        if (c.suspendTimeoutSeconds() > 0 && lastActive != null
                && !lastActive.plusSeconds(c.suspendTimeoutSeconds()).isAfter(now)) {
            capacity.suspend(c.id());
            forget(c.id());
            history.recordEvent(c.id(), c.tenantId(), now, c.currentCu(), BigDecimal.ZERO,
                    "suspended: no connections for " + c.suspendTimeoutSeconds() + "s", metrics(m, null));
            log.info("database {} suspended after {}s without connections", c.id(), c.suspendTimeoutSeconds());
            return;
        }
        if (!settings.enabled()) {
            return;
        }
        ScalingPolicy.Decision d = policy.decide(c.currentCu(), c.minCu(), c.maxCu(), window, c.cuChangedAt(), now);
        if (!d.changes()) {
            noticeNeedAboveMaxCu(c, m, d, now);
            return;
        }
        BigDecimal to = d.toCu();
        String reason = d.reason();
        if (to.compareTo(c.currentCu()) > 0) {
            // What this database could hold: the capacity less what the others hold.
            BigDecimal room = fleet.capacityCu(c.nodeId()).subtract(capacity.heldOnNodeExcept(c.nodeId(), c.id()));
            BigDecimal grantable = room.divide(step, 0, RoundingMode.FLOOR).multiply(step).max(c.currentCu());
            if (to.compareTo(grantable) > 0) {
                BigDecimal free = room.subtract(c.currentCu()).max(BigDecimal.ZERO).stripTrailingZeros();
                String notice = "capped by node capacity: wanted " + to.toPlainString() + " CU, node has "
                        + free.toPlainString() + " CU free";
                to = grantable.stripTrailingZeros();
                if (to.compareTo(c.currentCu()) == 0) {
                    // Denied outright: say so once while the node stays as full, however the wanted CU wanders.
                    if (!free.equals(lastCapNotice.put(c.id(), free))) {
                        history.recordEvent(c.id(), c.tenantId(), now, c.currentCu(), c.currentCu(),
                                "scale up denied: " + notice, metrics(m, d));
                    }
                    return;
                }
                reason = reason + " (" + notice + ")";
            }
        }
        lastCapNotice.remove(c.id());
        capacity.grant(c.id(), to);
        history.recordEvent(c.id(), c.tenantId(), now, c.currentCu(), to, reason, metrics(m, d));
        log.info("database {} {} -> {} CU: {}", c.id(), c.currentCu().toPlainString(), to.toPlainString(), reason);
    }

    /**
     * A compute held at its maxCu while it needs more (throttled, or busier than the target utilisation allows) is
     * told as an event, at most once per downscale window: nothing else would show that the range is what limits it.
     */
    private void noticeNeedAboveMaxCu(Capacity c, ComputeMetrics m, ScalingPolicy.Decision d, Instant now) {
        BigDecimal need = d.cpuNeedCu().max(d.memoryNeedCu());
        if (c.currentCu().compareTo(c.maxCu()) < 0 || need.compareTo(c.maxCu()) <= 0) {
            return;
        }
        Instant last = lastMaxCuNotice.get(c.id());
        if (last != null && last.plus(settings.downscaleWindow()).isAfter(now)) {
            return;
        }
        lastMaxCuNotice.put(c.id(), now);
        history.recordEvent(c.id(), c.tenantId(), now, c.currentCu(), c.currentCu(), "held at maxCu: needs "
                + need.setScale(2, RoundingMode.UP).stripTrailingZeros().toPlainString() + " CU"
                + (m.throttledFraction() > settings.throttleThreshold() ? " (CPU throttled "
                + Math.round(m.throttledFraction() * 100) + " % of the time)" : "") + "; raise maxCu to let it grow", metrics(m, d));
    }

    /** The out-of-memory event's reason: what was killed, at which limit, and what the tenant can do. */
    private static String outOfMemory(Capacity c, ComputeMetrics m, int kills) {
        String cu = c.currentCu().toPlainString() + " CU";
        String where = m.memoryLimitBytes() > 0
                ? " at the compute's " + gib(m.memoryLimitBytes()) + " GiB limit (" + cu + ")"
                : " at " + cu + ", with no memory limit enforced on this host (the host itself ran out)";
        String advice = c.currentCu().compareTo(c.maxCu()) >= 0
                ? "; the database is at its maxCu: raise maxCu or use less memory per session" : "";
        return "out of memory: the kernel killed " + kills + " Postgres process" + (kills == 1 ? "" : "es") + where
                + ", and Postgres ended every session to recover" + advice;
    }

    private static String gib(long bytes) {
        return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << 30), 2, RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }

    private static Map<String, Object> metrics(ComputeMetrics m, ScalingPolicy.Decision d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cpuUsedCores", round(m.cpuUsedCores()));
        out.put("throttledFraction", round(m.throttledFraction()));
        out.put("memoryWorkingSetBytes", m.memoryWorkingSetBytes());
        out.put("memoryLimitBytes", m.memoryLimitBytes());
        out.put("activeConnections", m.activeConnections());
        out.put("transactionsPerSecond", round(m.transactionsPerSecond()));
        if (d != null) {
            out.put("cpuNeedCu", d.cpuNeedCu().setScale(3, RoundingMode.HALF_UP));
            out.put("memoryNeedCu", d.memoryNeedCu().setScale(3, RoundingMode.HALF_UP));
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Manual suspend/resume and range changes are scaling events too, written in the same transaction. */
    @EventListener
    void onManualChange(DatabaseCapacityChanged e) {
        history.recordEvent(e.databaseId(), e.tenantId(), clock.instant(), e.fromCu(), e.toCu(), e.reason(), Map.of());
        forget(e.databaseId());
    }

    /** A suspend or a manual change starts the database's story over: its load window and what it was last told. */
    private void forget(UUID databaseId) {
        windows.clear(databaseId);
        lastCapNotice.remove(databaseId);
        lastMaxCuNotice.remove(databaseId);
    }
}
