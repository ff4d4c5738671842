package io.stratus.agent.metering;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The CU each compute had in force over time (0 while stopped), as the reconciler reported it: a list of change
 * points per compute, so that CU-seconds follow a suspend, a resume or a scaling step to within a reconcile pass
 * rather than to within a sampling interval. Thread-safe: fed from the reconcile thread, read by the meter.
 */
final class CuTimeline {

    private record Point(Instant at, BigDecimal cu) {
    }

    private final Map<UUID, List<Point>> points = new HashMap<>();

    /** The compute has {@code cu} in force from {@code at} on; recorded only when it differs from the last point. */
    synchronized void observe(UUID computeId, Instant at, BigDecimal cu) {
        List<Point> list = points.computeIfAbsent(computeId, id -> new ArrayList<>());
        if (list.isEmpty() || list.get(list.size() - 1).cu().compareTo(cu) != 0) {
            Instant when = list.isEmpty() || at.isAfter(list.get(list.size() - 1).at()) ? at : list.get(list.size() - 1).at();
            list.add(new Point(when, cu));
        }
    }

    /** When this process first saw the compute, if it did. */
    synchronized Instant firstSeen(UUID computeId) {
        List<Point> list = points.get(computeId);
        return list == null || list.isEmpty() ? null : list.get(0).at();
    }

    /**
     * Says what held before this process first saw the compute: {@code cu} from {@code from} on (a cursor from an
     * earlier run of the agent). Does nothing for a compute not seen yet or already covered from there.
     */
    synchronized void assumeBefore(UUID computeId, Instant from, BigDecimal cu) {
        List<Point> list = points.get(computeId);
        if (list != null && !list.isEmpty() && from.isBefore(list.get(0).at())) {
            list.add(0, new Point(from, cu));
        }
    }

    /** CU in force at {@code t}: the last change at or before it; {@code fallback} before the first. */
    synchronized BigDecimal cuAt(UUID computeId, Instant t, BigDecimal fallback) {
        BigDecimal cu = fallback;
        for (Point p : points.getOrDefault(computeId, List.of())) {
            if (p.at().isAfter(t)) {
                break;
            }
            cu = p.cu();
        }
        return cu;
    }

    /** Whether the CU changed anywhere in {@code (from, to]} (or differs at {@code from} from {@code cuAtFrom}). */
    synchronized boolean changedWithin(UUID computeId, Instant from, Instant to, BigDecimal cuAtFrom) {
        return cuAt(computeId, from, cuAtFrom).compareTo(cuAtFrom) != 0
                || points.getOrDefault(computeId, List.of()).stream()
                        .anyMatch(p -> p.at().isAfter(from) && !p.at().isAfter(to));
    }

    /**
     * CU-seconds over {@code [from, to)}, exact to the millisecond: {@code cuAtFrom} until the first change after
     * {@code from}, then each change's CU until the next.
     */
    synchronized BigDecimal cuSeconds(UUID computeId, Instant from, Instant to, BigDecimal cuAtFrom) {
        BigDecimal total = BigDecimal.ZERO;
        Instant segmentStart = from;
        BigDecimal cu = cuAt(computeId, from, cuAtFrom);
        for (Point p : points.getOrDefault(computeId, List.of())) {
            if (!p.at().isAfter(from)) {
                continue;
            }
            if (!p.at().isBefore(to)) {
                break;
            }
            total = total.add(cuSeconds(cu, segmentStart, p.at()));
            segmentStart = p.at();
            cu = p.cu();
        }
        return total.add(cuSeconds(cu, segmentStart, to));
    }

    /** Drops what lies before {@code t}, keeping the point in force at {@code t}. */
    synchronized void forgetBefore(UUID computeId, Instant t) {
        List<Point> list = points.get(computeId);
        if (list == null) {
            return;
        }
        int lastAtOrBefore = -1;
        for (int k = 0; k < list.size() && !list.get(k).at().isAfter(t); k++) {
            lastAtOrBefore = k;
        }
        if (lastAtOrBefore > 0) {
            list.subList(0, lastAtOrBefore).clear();
        }
    }

    /** Drops the history of every compute not in {@code known} (deleted ones, whether or not they ever ran here). */
    synchronized void retainOnly(Set<UUID> known) {
        points.keySet().retainAll(known);
    }

    private static BigDecimal cuSeconds(BigDecimal cu, Instant from, Instant to) {
        long millis = Duration.between(from, to).toMillis();
        return millis <= 0 || cu.signum() == 0 ? BigDecimal.ZERO : cu.multiply(BigDecimal.valueOf(millis, 3));
    }
}
