package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Exporting closes a period for good, so a period is not exported on request until its last usage has had time to
 * arrive: an agent ships an hour's last minutes just after the hour ends. (A clock of its own: the refusal comes before
 * anything is exported, so no exporter is needed.)
 */
class BillingExportSettleTests {

    private static BillingExportController at(String now) {
        BillingExportSettings settings = new BillingExportSettings("0 5 * * * ?", "0 15 0 * * ?", null, Duration.ofDays(7),
                Duration.ofMinutes(5));
        return new BillingExportController(null, null, settings, Clock.fixed(Instant.parse(now), ZoneOffset.UTC));
    }

    @Test
    void anHourIsNotExportedOnRequestUntilFiveMinutesAfterItsEnd() {
        assertThatThrownBy(() -> at("2026-11-26T14:00:00.136Z").run(
                new BillingExportController.RunExportRequest("2026-11-26T13")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.errors()).singleElement().satisfies(f -> {
                        assertThat(f.field()).isEqualTo("period");
                        assertThat(f.reason()).isEqualTo("ended less than 5 minutes ago: its last usage may still be "
                                + "arriving; it can be exported from 2026-11-26T14:05:00Z");
                    });
                });
        assertThatThrownBy(() -> at("2026-11-26T14:04:59.999Z").run(
                new BillingExportController.RunExportRequest("2026-11-26T13"))).isInstanceOf(ApiException.class);
    }

    @Test
    void aDayLikewiseAndYearZeroIsNoPeriod() {
        assertThatThrownBy(() -> at("2026-11-26T00:03:00Z").run(
                new BillingExportController.RunExportRequest("2026-11-25"))).isInstanceOf(ApiException.class)
                .hasMessageContaining("ended less than 5 minutes ago");
        assertThat(BillingPeriod.parse("0000-01-01")).isEmpty();
        assertThat(BillingPeriod.parse("0000-12-31T05")).isEmpty();
        assertThat(BillingPeriod.parse("0001-01-01")).isPresent();
    }
}
