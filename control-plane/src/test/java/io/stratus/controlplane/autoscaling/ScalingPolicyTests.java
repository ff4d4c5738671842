package io.stratus.controlplane.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.autoscaling.ScalingPolicy.Sample;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScalingPolicyTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final ScalingPolicy policy = new ScalingPolicy(ScalingPolicy.ScalingSettings.defaults());
    private static final BigDecimal MIN = new BigDecimal("0.25");
    private static final BigDecimal MAX = new BigDecimal("2");

    private static Sample cpu(int second, String allowed, double cores) {
        return new Sample(T0.plusSeconds(second), new BigDecimal(allowed), cores, 0, 64L << 20, 1, 10);
    }

    private static List<Sample> series(int from, int to, String allowed, double cores) {
        List<Sample> s = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            s.add(cpu(i, allowed, cores));
        }
        return s;
    }

    @Test
    void scalesUpAtOnceOnCpuNeed() {
        var d = policy.decide(MIN, MIN, MAX, List.of(cpu(0, "0.25", 0.7)), T0, T0);
        // 0.7 cores at 70 % target -> 1 CU
        assertThat(d.toCu()).isEqualByComparingTo("1");
        assertThat(d.reason()).startsWith("scale up: cpu");
    }

    @Test
    void aCpuNeedWithinTheUpscaleToleranceIsNotFollowedUp() {
        // 0.74 cores at 70 % -> 1.057 CU: above 1 CU by less than the 10 % tolerance; the compute runs at 74 %.
        var within = policy.decide(BigDecimal.ONE, MIN, MAX, List.of(cpu(0, "1", 0.74)), T0.minusSeconds(30), T0);
        assertThat(within.changes()).isFalse();
        // 0.78 cores -> 1.114 CU: beyond it, up at once to the step that covers the need.
        var beyond = policy.decide(BigDecimal.ONE, MIN, MAX, List.of(cpu(0, "1", 0.78)), T0.minusSeconds(30), T0);
        assertThat(beyond.toCu()).isEqualByComparingTo("1.25");
    }

    @Test
    void memoryAndThrottlingAreFollowedUpWhateverTheTolerance() {
        long justOverOneCu = (long) ((4L << 30) * 0.75 * 1.02);
        var memory = new Sample(T0, BigDecimal.ONE, 0.1, 0, justOverOneCu, 1, 1);
        assertThat(policy.decide(BigDecimal.ONE, MIN, MAX, List.of(memory), T0.minusSeconds(30), T0).toCu())
                .isEqualByComparingTo("1.25");
        // Throttled a tenth of the interval while using 0.7 of 1 CU: 1.1 x 1 core at 70 % -> 1.57 CU.
        var throttled = new Sample(T0, BigDecimal.ONE, 0.7, 0.1, 64L << 20, 1, 1);
        assertThat(policy.decide(BigDecimal.ONE, MIN, MAX, List.of(throttled), T0.minusSeconds(30), T0).toCu())
                .isEqualByComparingTo("1.75");
    }

    @Test
    void aNeedWithinTheToleranceStillHoldsCapacityUp() {
        // 0.74 cores at 1 CU for a minute: no upscale, and no downscale either (the need is above 1 CU).
        var d = policy.decide(BigDecimal.ONE, MIN, MAX, series(0, 70, "1", 0.74), T0, T0.plusSeconds(70));
        assertThat(d.changes()).isFalse();
    }

    @Test
    void throttledComputeIsAssumedToWantMoreThanItWasAllowedTheMoreItWasThrottled() {
        var s = new Sample(T0, new BigDecimal("0.25"), 0.25, 0.4, 64L << 20, 5, 100);
        var d = policy.decide(MIN, MIN, MAX, List.of(s), T0.minusSeconds(30), T0);
        // 1.4 x 0.25 cores at 70 % -> 0.5 CU
        assertThat(d.toCu()).isEqualByComparingTo("0.5");
        assertThat(d.reason()).contains("throttled");
        var throughout = new Sample(T0, new BigDecimal("0.25"), 0.25, 1.0, 64L << 20, 5, 100);
        // 2 x 0.25 cores at 70 % -> 0.71 -> 0.75 CU
        assertThat(policy.decide(MIN, MIN, MAX, List.of(throughout), T0.minusSeconds(30), T0).toCu())
                .isEqualByComparingTo("0.75");
    }

    @Test
    void throttlingJustAfterAnUpscaleIsNotChargedToTheNewCu() {
        // Throttled under 0.25 CU, reported after the change to 0.75: boosting 0.75 would cascade to maxCu.
        var s = new Sample(T0.plusMillis(900), new BigDecimal("0.75"), 0.5, 0.09, 64L << 20, 3, 30);
        var d = policy.decide(new BigDecimal("0.75"), MIN, MAX, List.of(s), T0.plusMillis(500), T0.plusMillis(900));
        assertThat(d.changes()).isFalse();
        // The same throttling two seconds later, on a busy compute, is hidden demand.
        var later = new Sample(T0.plusSeconds(3), new BigDecimal("0.75"), 0.7, 0.3, 64L << 20, 3, 30);
        var up = policy.decide(new BigDecimal("0.75"), MIN, MAX, List.of(later), T0.plusMillis(500), T0.plusSeconds(3));
        // Throttled 30 % of the time: wants 1.3 x 0.75 cores, 1.39 CU at 70 %.
        assertThat(up.toCu()).isEqualByComparingTo("1.5");
        assertThat(up.reason()).contains("throttled");
    }

    @Test
    void aThrottleDrivenUpscaleHoldsWhenTheNextSampleIsQuiet() {
        // Busy and throttled at 0.25 CU: up to 0.75 at once.
        var busy = new Sample(T0.plusSeconds(59), MIN, 0.25, 0.4, 64L << 20, 5, 100);
        List<Sample> samples = new ArrayList<>(series(0, 58, "0.25", 0.05));
        samples.add(busy);
        var up = policy.decide(MIN, MIN, MAX, samples, T0, T0.plusSeconds(60));
        assertThat(up.toCu()).isEqualByComparingTo("0.5");
        // The next sample, under the new CU, is quiet: the throttled one is still in the window and keeps the CU.
        samples.add(cpu(61, "0.75", 0.1));
        var next = policy.decide(up.toCu(), MIN, MAX, samples, T0.plusSeconds(60), T0.plusSeconds(61));
        assertThat(next.changes()).as(next.reason()).isFalse();
    }

    @Test
    void aBurstThrottlingAMostlyIdleComputeDoesNotTripleIt() {
        // One throttled 100 ms period of ten, at a third of the allowance: the CFS period caught a burst.
        var s = new Sample(T0.plusSeconds(30), MIN, 0.08, 0.1, 64L << 20, 3, 15);
        var d = policy.decide(MIN, MIN, MAX, List.of(s), T0, T0.plusSeconds(30));
        assertThat(d.changes()).isFalse();
    }

    @Test
    void capacityFollowsTheNeedDownWithoutRestartingTheWait() {
        // A staircase: 1.2 cores for two minutes, 0.6 for 30 s, then 0.1.
        List<Sample> samples = new ArrayList<>();
        BigDecimal current = new BigDecimal("2");
        Instant lastChange = T0;
        List<Integer> downAt = new ArrayList<>();
        List<BigDecimal> steps = new ArrayList<>();
        for (int t = 0; t <= 300; t++) {
            double cores = t < 120 ? 1.2 : t < 150 ? 0.6 : 0.1;
            samples.add(cpu(t, current.toPlainString(), cores));
            var d = policy.decide(current, MIN, MAX, samples, lastChange, T0.plusSeconds(t));
            if (d.changes()) {
                downAt.add(t);
                steps.add(d.toCu());
                current = d.toCu();
                lastChange = T0.plusSeconds(t);
            }
        }
        // 0.6 cores need 0.86 CU, plus headroom 1 CU: from 2 that is half the window (30 s) after the busy minutes;
        // the quiet need, 0.25 of 1 CU, a quarter window (15 s) after the step to 0.1 cores, not a window after the
        // first step down.
        assertThat(steps).containsExactly(new BigDecimal("1"), new BigDecimal("0.25"));
        assertThat(downAt).containsExactly(150, 165);
    }

    @Test
    void scalesUpOnMemoryNeed() {
        var s = new Sample(T0, new BigDecimal("0.25"), 0.01, 0, 3L << 30, 1, 1);
        var d = policy.decide(MIN, MIN, MAX, List.of(s), T0, T0);
        // 3 GiB / 4 GiB per CU / 0.75 = 1 CU
        assertThat(d.toCu()).isEqualByComparingTo("1");
        assertThat(d.reason()).contains("memory");
    }

    @Test
    void clampsToTheDatabasesRange() {
        var d = policy.decide(MIN, MIN, MAX, List.of(cpu(0, "0.25", 16)), T0, T0);
        assertThat(d.toCu()).isEqualByComparingTo(MAX);
        var idle = policy.decide(new BigDecimal("1"), new BigDecimal("1"), MAX, series(0, 120, "1", 0), T0, T0.plusSeconds(120));
        assertThat(idle.toCu()).isEqualByComparingTo("1");
    }

    @Test
    void roundsUpToTheStep() {
        // 0.36 cores / 0.7 = 0.514 CU -> 0.75
        var d = policy.decide(MIN, MIN, MAX, List.of(cpu(0, "0.25", 0.36)), T0, T0);
        assertThat(d.toCu()).isEqualByComparingTo("0.75");
    }

    @Test
    void scalesDownOnlyAfterHysteresisWindowThatShrinksWithTheDepthOfTheDrop() {
        BigDecimal current = new BigDecimal("2");
        // Load gone at once: from 2 CU to 0.25 is an eighth of the 60 s window, so the 10 s minimum applies.
        var early = policy.decide(current, MIN, MAX, series(0, 9, "2", 0.05), T0, T0.plusSeconds(9));
        assertThat(early.changes()).isFalse();
        assertThat(early.reason()).contains("window");
        var later = policy.decide(current, MIN, MAX, series(0, 10, "2", 0.05), T0, T0.plusSeconds(10));
        assertThat(later.toCu()).isEqualByComparingTo("0.25");
        assertThat(later.reason()).startsWith("scale down").contains("10s");
    }

    @Test
    void aOneStepDropWaitsMostOfTheWindow() {
        // 0.55 cores need 0.79 CU, 0.9 with headroom: one step below 1.25, which waits 60 s x 1 / 1.25 = 48 s.
        BigDecimal current = new BigDecimal("1.25");
        var before = policy.decide(current, MIN, MAX, series(0, 47, "1.25", 0.55), T0, T0.plusSeconds(47));
        assertThat(before.changes()).as(before.reason()).isFalse();
        var after = policy.decide(current, MIN, MAX, series(0, 48, "1.25", 0.55), T0, T0.plusSeconds(48));
        assertThat(after.toCu()).isEqualByComparingTo("1");
    }

    @Test
    void aSingleBusySampleHoldsCapacityForTheWindowOfEveryDropBelowIt() {
        List<Sample> s = series(0, 70, "2", 0.05);
        s.set(40, cpu(40, "2", 1.3));
        var soon = policy.decide(new BigDecimal("2"), MIN, MAX, s.subList(0, 50), T0, T0.plusSeconds(49));
        assertThat(soon.toCu()).isEqualByComparingTo("2");
        var later = policy.decide(new BigDecimal("2"), MIN, MAX, s.subList(0, 52), T0, T0.plusSeconds(51));
        assertThat(later.toCu()).isEqualByComparingTo("0.25");
    }

    @Test
    void aBusySampleThatCameBackHoldsCapacityForTheWholeWindow() {
        // Busy, quiet, busy again 20 s later: the load came back once, so its going away is no evidence.
        List<Sample> s = series(0, 100, "2", 0.05);
        s.set(20, cpu(20, "2", 1.3));
        s.set(40, cpu(40, "2", 1.3));
        var held = policy.decide(new BigDecimal("2"), MIN, MAX, s.subList(0, 81), T0, T0.plusSeconds(80));
        assertThat(held.toCu()).as(held.reason()).isEqualByComparingTo("2");
        // Once the first busy sample left the window, what is left is one busy sample 41 s ago: a deep drop.
        var later = policy.decide(new BigDecimal("2"), MIN, MAX, s.subList(0, 82), T0, T0.plusSeconds(81));
        assertThat(later.toCu()).isEqualByComparingTo("0.25");
    }

    @Test
    void aSustainedLoadThatEndsIsFollowedDownQuickly() {
        // Busy for a whole window, then quiet: from 2 CU to 0.25 waits the 10 s minimum, not 60 s.
        List<Sample> s = new ArrayList<>(series(0, 69, "2", 1.3));
        s.addAll(series(70, 80, "2", 0.05));
        var d = policy.decide(new BigDecimal("2"), MIN, MAX, s, T0, T0.plusSeconds(80));
        assertThat(d.toCu()).isEqualByComparingTo("0.25");
    }

    @Test
    void aLoadThatComesAndGoesIsNotFollowedDownAgainWithinTheWindow() {
        // One busy second every 20 s: the first drop is quick, the drop it turned out to be wrong about is not repeated.
        List<Sample> samples = new ArrayList<>();
        BigDecimal current = MIN;
        Instant lastChange = T0;
        List<Integer> changedAt = new ArrayList<>();
        for (int t = 0; t < 200; t++) {
            samples.add(cpu(t, current.toPlainString(), t % 20 == 0 ? 1.3 : 0.05));
            var d = policy.decide(current, MIN, MAX, samples, lastChange, T0.plusSeconds(t));
            if (d.changes()) {
                changedAt.add(t);
                current = d.toCu();
                lastChange = T0.plusSeconds(t);
            }
        }
        assertThat(changedAt).containsExactly(0, 11, 20);
        assertThat(current).isEqualByComparingTo("2");
    }

    @Test
    void noisyLoadDoesNotFlap() {
        Random r = new Random(42);
        BigDecimal current = MIN;
        Instant lastChange = T0;
        List<Sample> samples = new ArrayList<>();
        int changes = 0;
        for (int t = 0; t < 600; t++) {
            double cores = 0.5 + r.nextGaussian() * 0.1; // around 0.5 cores, noisy
            samples.add(cpu(t, current.toPlainString(), Math.max(0, cores)));
            Instant now = T0.plusSeconds(t);
            List<Sample> window = samples.subList(Math.max(0, samples.size() - 70), samples.size());
            var d = policy.decide(current, MIN, MAX, window, lastChange, now);
            if (d.changes()) {
                changes++;
                current = d.toCu();
                lastChange = now;
            }
        }
        // It climbs to cover the peaks and stays: a handful of upward steps, never oscillating.
        assertThat(changes).isLessThanOrEqualTo(3);
        assertThat(current).isGreaterThanOrEqualTo(new BigDecimal("0.75"));
    }

    @Test
    void windowIsConfigurable() {
        var settings = new ScalingPolicy.ScalingSettings(0.7, 0.75, new BigDecimal("0.25"), 1.0, 4L << 30,
                Duration.ofSeconds(10), 0.05, 2.0, 1.15, 0.5, Duration.ofSeconds(2), Duration.ofSeconds(10), 0.1);
        var d = new ScalingPolicy(settings).decide(new BigDecimal("2"), MIN, MAX, series(0, 11, "2", 0.0), T0, T0.plusSeconds(11));
        assertThat(d.toCu()).isEqualByComparingTo("0.25");
    }
}
