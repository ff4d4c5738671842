package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StorageLimitsTests {

    @Test
    void noQuotaIsNoLimit() {
        assertThat(StorageLimits.limitFor(null, 5_000, 1_000L)).isNull();
        assertThat(StorageLimits.roomForAnother(null, Long.MAX_VALUE)).isTrue();
    }

    @Test
    void aDatabaseMayStoreWhatTheTenantsOtherDatabasesLeaveOfTheQuota() {
        assertThat(StorageLimits.limitFor(1_000L, 700, 300L)).as("others store 400").isEqualTo(600);
        assertThat(StorageLimits.limitFor(1_000L, 300, 300L)).as("the only one").isEqualTo(1_000);
    }

    @Test
    void aDatabaseNeverMeasuredCountsAsStoringNothing() {
        assertThat(StorageLimits.limitFor(1_000L, 400, null)).isEqualTo(600);
    }

    @Test
    void othersAtOrOverTheQuotaLeaveALimitOfZeroNeverANegativeOne() {
        assertThat(StorageLimits.limitFor(1_000L, 1_500, 100L)).isZero();
        assertThat(StorageLimits.limitFor(0L, 0, 0L)).isZero();
    }

    @Test
    void aCreateFitsOnlyWhileTheTenantStoresLessThanItsQuota() {
        assertThat(StorageLimits.roomForAnother(1_000L, 999)).isTrue();
        assertThat(StorageLimits.roomForAnother(1_000L, 1_000)).isFalse();
        assertThat(StorageLimits.roomForAnother(0L, 0)).isFalse();
    }
}
