package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.agent.computes.StorageGuard.Action;
import org.junit.jupiter.api.Test;

class StorageGuardTests {

    @Test
    void aWritableComputeUnderItsLimitOrWithoutOneIsKept() {
        assertThat(StorageGuard.decide(1_000L, 999, false)).isEqualTo(Action.KEEP);
        assertThat(StorageGuard.decide(null, Long.MAX_VALUE, false)).isEqualTo(Action.KEEP);
    }

    // A quota is the most that may be stored: exactly at it, not one more row.
    @Test
    void aWritableComputeAtOrOverItsLimitIsMadeReadOnly() {
        assertThat(StorageGuard.decide(1_000L, 1_000, false)).isEqualTo(Action.LIMIT);
        assertThat(StorageGuard.decide(1_000L, 5_000, false)).isEqualTo(Action.LIMIT);
        assertThat(StorageGuard.decide(0L, 0, false)).isEqualTo(Action.LIMIT);
    }

    @Test
    void aReadOnlyComputeStaysSoWhileAtOrOverItsLimit() {
        assertThat(StorageGuard.decide(1_000L, 1_000, true)).isEqualTo(Action.KEEP);
        assertThat(StorageGuard.decide(1_000L, 2_000, true)).isEqualTo(Action.KEEP);
    }

    @Test
    void aReadOnlyComputeIsLiftedOnceUnderItsLimitOrWhenTheLimitIsGone() {
        assertThat(StorageGuard.decide(2_000L, 1_999, true)).isEqualTo(Action.LIFT);
        assertThat(StorageGuard.decide(null, 5_000, true)).isEqualTo(Action.LIFT);
    }
}
