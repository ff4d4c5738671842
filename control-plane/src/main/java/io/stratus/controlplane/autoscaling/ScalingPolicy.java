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
 *       {@code throttleMinUtilization} of its allowance is assumed to want more than it was allowed, up to
 *       {@code throttleBoost} times it when throttled throughout, in proportion to the throttled share (throttled CPU
 *       hides the real demand). Throttling of a mostly idle compute is a burst caught by the
 *       CFS period, not hidden demand; and a sample taken within {@code throttleSettle} of a CU change may have been
 *       throttled under the previous CU, so neither is boosted (boosting them cascaded one burst up to maxCu).</li>
 *   <li>Rounded up to the step, clamped to [minCu, maxCu].</li>
 *   <li>Up at once, when the CPU need exceeds the CU held by more than {@code upscaleTolerance} (a need within it
 *       leaves the compute below 77 % of its allowance at the defaults; acting on it bought a step each time noise
 *       crossed one, held for the downscale window), or at all for memory, throttling or a CU below the range.</li>
 *   <li>Down to a lower step T once the need, plus {@code downscaleHeadroom}, stayed at or below T for a window that
 *       shrinks with the depth of the drop: {@code downscaleWindow × T / current}, at least {@code downscaleMinWindow}.
 *       One step down from 2 CU waits nearly the whole window; from 2 CU to 0.25 an eighth of it. Small drops are
 *       where noise lives, so they wait long; a load that fell to a fraction of the capacity is not noise, and every
 *       second held costs the most there. The window is a stabilisation window (as Kubernetes' HPA has): a step down
 *       does not restart the wait, capacity follows the need down as the peaks age out.</li>
 *   <li>No flapping: a step whose need went above it, away and above it again within the last
 *       {@code downscaleWindow} waits the whole window (a load that comes and goes, or noise across the step, is not
 *       followed down quickly). The sample that caused an upscale stays in every window that covers it, so capacity
 *       never comes straight back down.</li>
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
        boolean throttled = hiddenDemand(latest, lastChange);
        if (target.compareTo(current) > 0 && beyondTolerance(current, minCu, cpuNeed, memNeed, throttled)) {
            String why = cpuNeed.compareTo(memNeed) >= 0 ? (throttled ? "cpu throttled" : "cpu") : "memory";
            return new Decision(current, target, "scale up: " + why + " need", cpuNeed, memNeed);
        }
        if (current.compareTo(clamp(current, minCu, maxCu)) != 0) {
            return new Decision(current, clamp(current, minCu, maxCu), "range changed", cpuNeed, memNeed);
        }
        BigDecimal[] needs = new BigDecimal[samples.size()];
        BigDecimal[] downTo = new BigDecimal[samples.size()];
        BigDecimal headroom = BigDecimal.valueOf(settings.downscaleHeadroom());
        for (int i = 0; i < needs.length; i++) {
            Sample s = samples.get(i);
            BigDecimal need = cpuNeed(s, lastChange).max(memoryNeed(s));
            needs[i] = clamp(roundUp(need), minCu, maxCu);
            // Headroom on the way down: coming down to exactly a peak would go straight back up on the next slightly
            // higher sample.
            downTo[i] = clamp(roundUp(need.multiply(headroom)), minCu, maxCu);
        }
        BigDecimal[] peakFrom = peakFrom(downTo);
        Instant fullWindowStart = now.minus(settings.downscaleWindow());
        boolean covered = false;
        // The deepest step whose window the samples cover and whose need stayed at or below it wins.
        for (BigDecimal step = clamp(minCu, minCu, maxCu); step.compareTo(current) < 0; step = step.add(settings.cuStep())) {
            boolean returned = loadReturned(samples, needs, downTo, step, fullWindowStart);
            Duration window = returned ? settings.downscaleWindow() : windowFor(step, current);
            Instant windowStart = now.minus(window);
            if (samples.get(0).at().isAfter(windowStart)) {
                continue;
            }
            covered = true;
            int first = 0;
            while (first < samples.size() - 1 && samples.get(first).at().isBefore(windowStart)) {
                first++;
            }
            if (peakFrom[first].compareTo(step) <= 0) {
                return new Decision(current, step.stripTrailingZeros(), "scale down: need stayed at or below "
                        + step.stripTrailingZeros().toPlainString() + " CU for " + window.toSeconds() + "s"
                        + (returned ? " (the load went away and came back within the window)" : ""), cpuNeed, memNeed);
            }
        }
        return new Decision(current, current, covered ? "steady" : "holding: downscale window not elapsed", cpuNeed, memNeed);
    }

    /**
     * A CPU need within {@code upscaleTolerance} of the CU held is not acted on: at 70 % target utilisation it still
     * leaves a quarter of the allowance idle, and following each noisy second across a step buys a step that the
     * downscale window then holds for a minute. Memory, throttling (demand the quota hid) and a CU below the range's
     * minimum are acted on at once.
     */
    private boolean beyondTolerance(BigDecimal current, BigDecimal minCu, BigDecimal cpuNeed, BigDecimal memNeed,
                                    boolean throttled) {
        return current.compareTo(minCu) < 0
                || roundUp(memNeed).compareTo(current) > 0
                || throttled
                || cpuNeed.compareTo(current.multiply(BigDecimal.valueOf(1 + settings.upscaleTolerance()))) > 0;
    }

    /** Element i: the largest of elements i to the last, so the peak of each window is one look-up. */
    private static BigDecimal[] peakFrom(BigDecimal[] values) {
        BigDecimal[] peak = new BigDecimal[values.length];
        BigDecimal running = BigDecimal.ZERO;
        for (int i = values.length - 1; i >= 0; i--) {
            running = running.max(values[i]);
            peak[i] = running;
        }
        return peak;
    }

    /**
     * True when, since {@code since}, the load needed more than {@code step}, then fit in it (with headroom), then
     * needed more again: it went away and came back, so its going away once more is no evidence that it is gone.
     * Samples between the two thresholds change nothing, so noise just under a step is no edge.
     */
    private static boolean loadReturned(List<Sample> samples, BigDecimal[] needs, BigDecimal[] downTo, BigDecimal step,
                                        Instant since) {
        boolean wasAbove = false;
        boolean wentAway = false;
        for (int i = 0; i < needs.length; i++) {
            if (samples.get(i).at().isBefore(since)) {
                continue;
            }
            if (needs[i].compareTo(step) > 0) {
                if (wentAway) {
                    return true;
                }
                wasAbove = true;
            } else if (wasAbove && downTo[i].compareTo(step) <= 0) {
                wentAway = true;
            }
        }
        return false;
    }

    /** {@code downscaleWindow × to / from}, within [{@code downscaleMinWindow}, {@code downscaleWindow}]. */
    Duration windowFor(BigDecimal to, BigDecimal from) {
        long full = settings.downscaleWindow().toMillis();
        long scaled = to.multiply(BigDecimal.valueOf(full)).divide(from, 0, RoundingMode.CEILING).longValueExact();
        return Duration.ofMillis(Math.min(full, Math.max(Math.min(full, settings.downscaleMinWindow().toMillis()), scaled)));
    }

    BigDecimal cpuNeed(Sample s, Instant lastChange) {
        double cores = s.cpuUsedCores();
        if (hiddenDemand(s, lastChange)) {
            // The more of the interval was throttled, the more demand the quota hid: a fully throttled compute is
            // assumed to want throttleBoost times its allowance, one throttled a fifth of the time a fifth of that
            // extra. (A flat boost sent a compute whose new connections were throttled for a moment to three times
            // the CU its load needed, where the downscale window then held it.)
            double boost = 1 + Math.min(1, s.throttledFraction()) * (settings.throttleBoost() - 1);
            cores = Math.max(cores, s.allowedCu().doubleValue() * settings.cpuPerCu() * boost);
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
                                  double throttleMinUtilization, Duration throttleSettle,
                                  Duration downscaleMinWindow, double upscaleTolerance) {

        /**
         * 70 % CPU, 75 % memory, 0.25 CU steps, 1 vCPU + 4 GiB per CU, 60 s window (10 s at least for a deep drop), 5 %
         * throttling at 50 % or more of the allowance raises the need by up to 2x, by the throttled share (not within 2 s
         * of a change), 15 % headroom when scaling down.
         */
        public static ScalingSettings defaults() {
            return new ScalingSettings(0.7, 0.75, new BigDecimal("0.25"), 1.0, 4L << 30, Duration.ofSeconds(60), 0.05,
                    2.0, 1.15, 0.5, Duration.ofSeconds(2), Duration.ofSeconds(10), 0.1);
        }
    }
}
