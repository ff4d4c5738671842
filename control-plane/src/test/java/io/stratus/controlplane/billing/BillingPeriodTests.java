package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.metering.Granularity;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BillingPeriodTests {

    @Test
    void parsesHoursAndDaysInUtc() {
        var hour = BillingPeriod.parse("2026-11-25T13").orElseThrow();
        assertThat(hour.granularity()).isEqualTo(Granularity.HOUR);
        assertThat(hour.start()).isEqualTo(Instant.parse("2026-11-25T13:00:00Z"));
        assertThat(hour.end()).isEqualTo(Instant.parse("2026-11-25T14:00:00Z"));
        var day = BillingPeriod.parse("2026-11-25").orElseThrow();
        assertThat(day.granularity()).isEqualTo(Granularity.DAY);
        assertThat(day.start()).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
        assertThat(day.end()).isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {"", "2026-11", "2026-11-25T24", "2026-02-30", "2026-13-01", "2026-11-25T1",
                "2026-11-25T13:00", "2026-11-25 13", "26-11-25", "2026-11-25Z", "x2026-11-25", "2026-11-25T13Z"}) {
            assertThat(BillingPeriod.parse(bad)).as(bad).isEmpty();
        }
        assertThat(BillingPeriod.parse(null)).isEmpty();
    }

    @Test
    void previousPeriodsAreTheLastOnesThatEnded() {
        Instant now = Instant.parse("2026-11-25T00:05:00Z");
        assertThat(BillingPeriod.previous(Granularity.HOUR, now).name()).isEqualTo("2026-11-24T23");
        assertThat(BillingPeriod.previous(Granularity.DAY, now).name()).isEqualTo("2026-11-24");
        assertThat(BillingPeriod.previous(Granularity.HOUR, now).endedAt(now)).isTrue();
        assertThat(BillingPeriod.hour(now).endedAt(now)).isFalse();
        assertThat(BillingPeriod.hour(Instant.parse("2026-01-02T03:59:59Z")).name()).isEqualTo("2026-01-02T03");
    }

    @Test
    void theNextPeriodCrossesDaysMonthsAndYears() {
        assertThat(BillingPeriod.parse("2026-12-31T23").orElseThrow().next().name()).isEqualTo("2027-01-01T00");
        assertThat(BillingPeriod.parse("2028-02-28").orElseThrow().next().name()).isEqualTo("2028-02-29");
        assertThat(BillingPeriod.containing(Granularity.DAY, Instant.parse("2026-11-25T23:59:59Z")).name())
                .isEqualTo("2026-11-25");
    }
}
