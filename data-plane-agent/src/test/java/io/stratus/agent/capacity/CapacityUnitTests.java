package io.stratus.agent.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class CapacityUnitTests {

    @Test
    void aQuarterCuIsAQuarterOfACoreAndOneGib() {
        CgroupLimits limits = CapacityUnit.DEFAULT.limits(new BigDecimal("0.25"));

        assertThat(limits).isEqualTo(new CgroupLimits(25_000, 100_000, 25_000, 1L << 30));
    }

    @Test
    void oneCuIsOneCoreAndFourGib() {
        assertThat(CapacityUnit.DEFAULT.limits(BigDecimal.ONE)).isEqualTo(new CgroupLimits(100_000, 100_000, 100_000, 4L << 30));
    }

    @Test
    void followsWhatACuIsWorthOnTheHost() {
        CapacityUnit halfCoreTwoGib = new CapacityUnit(new BigDecimal("0.5"), 2L << 30);

        assertThat(halfCoreTwoGib.limits(BigDecimal.valueOf(3))).isEqualTo(new CgroupLimits(150_000, 100_000, 150_000, 6L << 30));
        assertThat(halfCoreTwoGib.vcpus(BigDecimal.valueOf(3))).isEqualByComparingTo("1.5");
    }

    // The kernel keeps memory limits in pages and refuses CFS quotas under 1 ms; limits are made so up front, so that
    // what is read back equals what was written.
    @Test
    void roundsMemoryDownToAPageAndKeepsTheQuotaAboveTheKernelsMinimum() {
        CapacityUnit odd = new CapacityUnit(new BigDecimal("0.001"), 1_000_000);

        CgroupLimits limits = odd.limits(new BigDecimal("0.25"));

        assertThat(limits.memoryBytes()).isEqualTo(249_856);
        assertThat(limits.cpuQuotaMicros()).isEqualTo(1_000);
    }

    @Test
    void burstIsTheConfiguredShareOfTheQuotaAndNeverAboveIt() {
        assertThat(new CapacityUnit(BigDecimal.ONE, 4L << 30, 0.5).limits(new BigDecimal("0.75")).cpuBurstMicros())
                .isEqualTo(37_500);
        assertThat(new CapacityUnit(BigDecimal.ONE, 4L << 30, 0).limits(BigDecimal.ONE).cpuBurstMicros()).isZero();
        assertThatThrownBy(() -> new CgroupLimits(25_000, 100_000, 25_001, 1L << 30))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAUnitWorthNothing() {
        assertThatThrownBy(() -> new CapacityUnit(BigDecimal.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapacityUnit(BigDecimal.ONE, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapacityUnit(BigDecimal.ONE, 1, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapacityUnit(BigDecimal.ONE, 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
