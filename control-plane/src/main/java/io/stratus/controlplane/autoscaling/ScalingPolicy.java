package io.stratus.controlplane.autoscaling;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Decides a compute's capacity from its recent load. Pure: the same samples, settings and clock give the same
 * decision, so it is unit-tested with metric sequences.
 *
 * <ul>
 *   <li>Need in CU = max(CPU used / target utilisation, memory working set / target fraction), where a compute
 *       throttled for more than {@code throttleThreshold} of the interval is assumed to want at least
 *       {@code throttleBoost} times what it was allowed (throttled CPU hides the real demand).</li>
 *   <li>Rounded up to the step, clamped to [minCu, maxCu].</li>
 *   <li>Up at once. Down only when every sample of the last {@code downscaleWindow} asked for less, and then only to
 *       the largest of those needs plus {@code downscaleHeadroom}, so a noisy load never flaps.</li>
 * </ul>
 */
public final class ScalingPolicy {

    private final ScalingSettings settings;

    public ScalingPolicy(ScalingSettings settings) {
        this.settings = settings;
    }

    /** One load sample of a compute. */
    public record Sample(Instant at, BigDecimal allowedCu, double cpuUsedCores, double throttledFraction,
                         long memoryWorkingSetBytes, int activeConnections, double tps) {
    }

    /** The outcome: keep or change, and why, with the numbers that drove it. */
    public record Decision(BigDecimal fromCu, BigDecimal toCu, String reason, BigDecimal cpuNeedCu, BigDecimal memoryNeedCu) {
        public boolean changes() {
            return fromCu.compareTo(toCu) != 0;
        }
    }

    /**
     * @param current    CU granted now
     * @param samples    the compute's samples, oldest first, covering at least the downscale window when available
     * @param lastChange when the CU last changed (a downscale needs the window to have passed since)
     */
    public Decision decide(BigDecimal current, BigDecimal minCu, BigDecimal maxCu, List<Sample> samples,
                           Instant lastChange, Instant now) {
        if (samples.isEmpty()) {
            BigDecimal clamped = clamp(current, minCu, maxCu);
            return new Decision(current, clamped, clamped.compareTo(current) == 0 ? "no samples" : "range changed",
                    BigDecimal.ZERO, BigDecimal.ZERO);
        }
        Sample latest = samples.get(samples.size() - 1);
        BigDecimal cpuNeed = cpuNeed(latest);
        BigDecimal memNeed = memoryNeed(latest);
        BigDecimal target = clamp(roundUp(cpuNeed.max(memNeed)), minCu, maxCu);
        if (target.compareTo(current) > 0) {
            String why = cpuNeed.compareTo(memNeed) >= 0
                    ? (latest.throttledFraction() > settings.throttleThreshold() ? "cpu throttled" : "cpu") : "memory";
            return new Decision(current, target, "scale up: " + why + " need", cpuNeed, memNeed);
        }
        if (current.compareTo(clamp(current, minCu, maxCu)) != 0) {
            return new Decision(current, clamp(current, minCu, maxCu), "range changed", cpuNeed, memNeed);
        }
        Instant windowStart = now.minus(settings.downscaleWindow());
        if (lastChange.isAfter(windowStart) || samples.get(0).at().isAfter(windowStart)) {
            return new Decision(current, current, "holding: downscale window not elapsed", cpuNeed, memNeed);
        }
        BigDecimal windowMax = BigDecimal.ZERO;
        for (Sample s : samples) {
            if (!s.at().isBefore(windowStart)) {
                windowMax = windowMax.max(cpuNeed(s).max(memoryNeed(s)));
            }
        }
        // Headroom on the way down: coming down to exactly the window's peak would go straight back up on the next
        // slightly higher sample.
        BigDecimal down = clamp(roundUp(windowMax.multiply(BigDecimal.valueOf(settings.downscaleHeadroom()))), minCu, maxCu);
        if (down.compareTo(current) < 0) {
            return new Decision(current, down, "scale down: need stayed at or below " + down.toPlainString() + " CU for "
                    + settings.downscaleWindow().toSeconds() + "s", cpuNeed, memNeed);
        }
        return new Decision(current, current, "steady", cpuNeed, memNeed);
    }

    BigDecimal cpuNeed(Sample s) {
        double cores = s.cpuUsedCores();
        if (s.throttledFraction() > settings.throttleThreshold()) {
            cores = Math.max(cores, s.allowedCu().doubleValue() * settings.cpuPerCu() * settings.throttleBoost());
        }
        return BigDecimal.valueOf(cores / settings.cpuPerCu() / settings.targetCpuUtilization());
    }

    BigDecimal memoryNeed(Sample s) {
        double cu = (double) s.memoryWorkingSetBytes() / settings.memoryPerCuBytes();
        return BigDecimal.valueOf(cu / settings.targetMemoryFraction());
    }

    private BigDecimal roundUp(BigDecimal cu) {
        BigDecimal step = settings.cuStep();
        return cu.divide(step, 0, RoundingMode.CEILING).multiply(step).max(step).stripTrailingZeros();
    }

    private static BigDecimal clamp(BigDecimal cu, BigDecimal min, BigDecimal max) {
        return cu.max(min).min(max).stripTrailingZeros();
    }

    /** Settings of the policy. */
    public record ScalingSettings(double targetCpuUtilization, double targetMemoryFraction, BigDecimal cuStep,
                                  double cpuPerCu, long memoryPerCuBytes, Duration downscaleWindow,
                                  double throttleThreshold, double throttleBoost, double downscaleHeadroom) {

        /**
         * 70 % CPU, 75 % memory, 0.25 CU steps, 1 vCPU + 4 GiB per CU, 60 s window, 5 % throttling doubles the need,
         * 15 % headroom when scaling down.
         */
        public static ScalingSettings defaults() {
            return new ScalingSettings(0.7, 0.75, new BigDecimal("0.25"), 1.0, 4L << 30, Duration.ofSeconds(60), 0.05, 2.0, 1.15);
        }
    }
}
