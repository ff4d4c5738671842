package io.stratus.agent.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class CapacityCheckTests {

    @Test
    void theDefaultCapacityOnATwoCoreHostIsCalledOvercommitted() {
        var warning = CapacityCheck.overcommit(new BigDecimal("8"), CapacityUnit.DEFAULT, 2, 24L << 30);

        assertThat(warning).hasValueSatisfying(w -> assertThat(w)
                .contains("promises 8 vCPUs and 32.0 GiB").contains("2 vCPUs and 24.0 GiB")
                .contains("CPU overcommitted 4.0x, memory overcommitted 1.3x").contains("STRATUS_AGENT_CAPACITY_CU"));
    }

    @Test
    void aCapacityWithinTheHostIsNoWarning() {
        assertThat(CapacityCheck.overcommit(new BigDecimal("2"), CapacityUnit.DEFAULT, 2, 24L << 30)).isEmpty();
        assertThat(CapacityCheck.overcommit(new BigDecimal("2.5"), CapacityUnit.DEFAULT, 2, 24L << 30)).get().asString()
                .contains("CPU overcommitted 1.3x").doesNotContain("memory");
    }
}
