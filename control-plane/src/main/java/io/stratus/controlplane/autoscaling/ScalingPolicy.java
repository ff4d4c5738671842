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
 *       throttled for more than {@code throttleThreshold} of the interval while using at least
 *       {@code throttleMinUtilization} of its allowance is assumed to want {@code throttleBoost} times what it was
 *       allowed (throttled CPU hides the real demand). Throttling of a mostly idle compute is a burst caught by the
 *       CFS period, not hidden demand; and a sample taken within {@code throttleSettle} of a CU change may have been
 *       throttled under the previous CU, so neither is boosted (boosting them cascaded one burst up to maxCu).</li>
 *   <li>Rounded up to the step, clamped to [minCu, maxCu].</li>
 *   <li>Up at once. Down to the largest need of the last {@code downscaleWindow} plus {@code downscaleHeadroom},
 *       once samples cover that window: a stabilisation window, as Kubernetes' HPA has. The sample that caused an
 *       upscale stays in the window for its length, so capacity never comes straight back down (no flapping), and a
 *       step down does not restart the wait: capacity follows the window's peak down as the peak ages out.</li>
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
     * @param lastChange when the CU last changed (throttling in samples just after it is not attributed to the new CU)
     */
    public Decision decide(BigDecimal current, BigDecimal minCu, BigDecimal maxCu, List<Sample> samples,
                           Instant lastChange, Instant now) {
        if (samples.isEmpty()) {
            BigDecimal clamped = clamp(current, minCu, maxCu);
            return new Decision(current, clamped, clamped.compareTo(current) == 0 ? "no samples" : "range changed",
                    BigDecimal.ZERO, BigDecimal.ZERO);
        }
        Sample latest = samples.get(samples.size() - 1);
        BigDecimal cpuNeed = cpuNeed(latest, lastChange);
        BigDecimal memNeed = memoryNeed(latest);
        BigDecimal target = clamp(roundUp(cpuNeed.max(memNeed)), minCu, maxCu);
        if (target.compareTo(current) > 0) {
            String why = cpuNeed.compareTo(memNeed) >= 0
                    ? (hiddenDemand(latest, lastChange) ? "cpu throttled" : "cpu") : "memory";
            return new Decision(current, target, "scale up: " + why + " need", cpuNeed, memNeed);
        }
        if (current.compareTo(clamp(current, minCu, maxCu)) != 0) {
            return new Decision(current, clamp(current, minCu, maxCu), "range changed", cpuNeed, memNeed);
        }
        Instant windowStart = now.minus(settings.downscaleWindow());
        if (samples.get(0).at().isAfter(windowStart)) {
            return new Decision(current, current, "holding: downscale window not elapsed", cpuNeed, memNeed);
        }
        BigDecimal windowMax = BigDecimal.ZERO;
        for (Sample s : samples) {
            if (!s.at().isBefore(windowStart)) {
                windowMax = windowMax.max(cpuNeed(s, lastChange).max(memoryNeed(s)));
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

    BigDecimal cpuNeed(Sample s, Instant lastChange) {
        double cores = s.cpuUsedCores();
        if (hiddenDemand(s, lastChange)) {
            cores = Math.max(cores, s.allowedCu().doubleValue() * settings.cpuPerCu() * settings.throttleBoost());
        }
        return BigDecimal.valueOf(cores / settings.cpuPerCu() / settings.targetCpuUtilization());
    }

    /** Throttled while busy, over an interval that lay wholly under the CU the sample reports. */
    private boolean hiddenDemand(Sample s, Instant lastChange) {
        double allowedCores = s.allowedCu().doubleValue() * settings.cpuPerCu();
        // Only samples taken just after the change are in doubt; earlier ones were measured under the CU they report
        // (the one that drove an upscale among them, which must keep the new CU up for the window).
        boolean settling = !s.at().isBefore(lastChange) && s.at().isBefore(lastChange.plus(settings.throttleSettle()));
        return s.throttledFraction() > settings.throttleThreshold()
                && s.cpuUsedCores() >= allowedCores * settings.throttleMinUtilization()
                && !settling;
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
                                  double throttleThreshold, double throttleBoost, double downscaleHeadroom,
                                  double throttleMinUtilization, Duration throttleSettle) {

        /**
         * 70 % CPU, 75 % memory, 0.25 CU steps, 1 vCPU + 4 GiB per CU, 60 s window, 5 % throttling at 50 % or more of
         * the allowance doubles the need (not within 2 s of a change), 15 % headroom when scaling down.
         */
        public static ScalingSettings defaults() {
            return new ScalingSettings(0.7, 0.75, new BigDecimal("0.25"), 1.0, 4L << 30, Duration.ofSeconds(60), 0.05,
                    2.0, 1.15, 0.5, Duration.ofSeconds(2));
        }
    }
}
