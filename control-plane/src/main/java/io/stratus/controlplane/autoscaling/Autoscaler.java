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
    private final Map<UUID, String> lastCapNotice = new java.util.concurrent.ConcurrentHashMap<>();

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
        for (ComputeMetrics m : samples) {
            capacity.onNode(m.computeId(), nodeId).ifPresent(c -> onSample(c, m, now));
        }
    }

    private void onSample(Capacity c, ComputeMetrics m, Instant now) {
        history.recordSample(c.id(), m);
        Instant lastActive = c.lastActiveAt();
        // A connection seen in the second's snapshot, or any transaction in that second: clients that connect, run a
        // statement and leave within a few milliseconds (a psql -c, a serverless function) are never in a snapshot.
        if (m.activeConnections() > 0 || m.transactionsPerSecond() > 0) {
            capacity.markActive(c.id(), now);
            lastActive = now;
        }
        List<ScalingPolicy.Sample> window = windows.add(c.id(), new ScalingPolicy.Sample(now, m.allowedCu(),
                m.cpuUsedCores(), m.throttledFraction(), m.memoryWorkingSetBytes(), m.activeConnections(),
                m.transactionsPerSecond()), now);
        if (!c.running() || c.state() != DatabaseState.RUNNING) {
            return;
        }
        if (c.suspendTimeoutSeconds() > 0 && lastActive != null
                && !lastActive.plusSeconds(c.suspendTimeoutSeconds()).isAfter(now)) {
            capacity.suspend(c.id());
            windows.clear(c.id());
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
            return;
        }
        BigDecimal to = d.toCu();
        String reason = d.reason();
        if (to.compareTo(c.currentCu()) > 0) {
            BigDecimal free = fleet.capacityCu(c.nodeId()).subtract(capacity.grantedOnNodeExcept(c.nodeId(), c.id()));
            BigDecimal grantable = free.divide(step, 0, RoundingMode.FLOOR).multiply(step).max(c.currentCu());
            if (to.compareTo(grantable) > 0) {
                String notice = "capped by node capacity: wanted " + to.toPlainString() + " CU, node has "
                        + free.max(BigDecimal.ZERO).stripTrailingZeros().toPlainString() + " CU free";
                to = grantable.stripTrailingZeros();
                if (to.compareTo(c.currentCu()) == 0) {
                    // Denied outright: say so once, not every second.
                    if (!notice.equals(lastCapNotice.put(c.id(), notice))) {
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
        windows.clear(e.databaseId());
    }
}
