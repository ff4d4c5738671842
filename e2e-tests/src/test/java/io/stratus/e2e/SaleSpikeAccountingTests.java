package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sale-spike arithmetic on made-up seconds, where the right answer is known by hand. */
class SaleSpikeAccountingTests {

    private static final SaleSpikeAccounting.Rules RULES = new SaleSpikeAccounting.Rules(0.25, 2, 0.25, 1.0, 0.7,
            4L << 30, 0.75, 0.05, 3);

    @Test
    void oracleTakesTheSmallestStepAtTargetUtilisationAndWaitsTheSuspendTimeout() {
        List<SaleSpikeAccounting.Observed> s = new ArrayList<>();
        s.add(loaded(0, 0.25, 0.1, 0, 10));   // 0.1 / 0.7 = 0.14 -> 0.25
        s.add(loaded(1, 1.5, 1.0, 0, 100));   // 1.0 / 0.7 = 1.43 -> 1.5
        s.add(loaded(2, 1.5, 0.7, 0, 70));    // exactly 1.0 CU: no extra step for floating-point noise
        for (int i = 3; i < 8; i++) {
            s.add(idle(i, i < 6 ? 0.25 : 0));  // 3 s timeout: the oracle pays the minimum for seconds 3..5
        }
        SaleSpikeAccounting.Figures f = SaleSpikeAccounting.compute(s, RULES);
        assertThat(f.oracleCu()).containsExactly(0.25, 1.5, 1.0, 0.25, 0.25, 0.25, 0, 0);
        assertThat(f.oracleCuSeconds()).isEqualTo(3.5);
        assertThat(f.oracleInstantSuspendCuSeconds()).isEqualTo(2.75);
        assertThat(f.stratusCuSeconds()).isEqualTo(4.0);
        assertThat(f.peakOracleCu()).isEqualTo(1.5);
        assertThat(f.staticAtPeakCuSeconds()).isEqualTo(12.0);
        assertThat(f.staticOverStratus()).isEqualTo(3.0);
        assertThat(f.loadedSeconds()).isEqualTo(3);
        assertThat(f.throttledSeconds()).isZero();
    }

    @Test
    void aThrottledSecondIsPricedByItsOfferedRequestsNotTheCappedCpu() {
        List<SaleSpikeAccounting.Observed> s = List.of(
                loaded(0, 0.25, 0.1, 0.0, 10),    // calibrates 10 ms of CPU per request
                loaded(1, 0.25, 0.25, 0.5, 100)); // capped at 0.25 cores, but 100 requests want 1.0 core
        SaleSpikeAccounting.Figures f = SaleSpikeAccounting.compute(s, RULES);
        assertThat(f.cpuPerRequest()).isCloseTo(0.01, within(1e-9));
        assertThat(f.oracleCu()[1]).isEqualTo(1.5);
        assertThat(f.throttledShare()).isEqualTo(0.5);
        assertThat(f.meanThrottledFraction()).isEqualTo(0.25);
    }

    @Test
    void aLoadedSecondWithoutASampleTakesTheNearestOne() {
        List<SaleSpikeAccounting.Observed> s = List.of(
                new SaleSpikeAccounting.Observed(0, true, 0.25, Double.NaN, Double.NaN, 0, 10, 10),
                loaded(1, 0.5, 0.3, 0, 30),
                new SaleSpikeAccounting.Observed(2, true, 0.5, Double.NaN, Double.NaN, 0, 30, 30));
        SaleSpikeAccounting.Figures f = SaleSpikeAccounting.compute(s, RULES);
        assertThat(f.oracleCu()).containsExactly(0.5, 0.5, 0.5);
    }

    @Test
    void memoryCountsLikeThePolicyCountsIt() {
        // 1.5 GiB working set over 4 GiB per CU at 75 % = 0.5 CU, above the CPU's 0.25.
        var o = new SaleSpikeAccounting.Observed(0, true, 0.5, 0.01, 0, 3L << 29, 1, 1);
        assertThat(SaleSpikeAccounting.need(o, 0, RULES)).isCloseTo(0.5, within(1e-9));
    }

    private static SaleSpikeAccounting.Observed loaded(int second, double applied, double cpu, double throttled, int requests) {
        return new SaleSpikeAccounting.Observed(second, true, applied, cpu, throttled, 0, requests, requests);
    }

    private static SaleSpikeAccounting.Observed idle(int second, double applied) {
        return new SaleSpikeAccounting.Observed(second, false, applied, Double.NaN, Double.NaN, 0, 0, 0);
    }
}
