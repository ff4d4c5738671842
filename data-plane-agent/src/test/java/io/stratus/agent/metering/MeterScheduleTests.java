package io.stratus.agent.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When the next metering pass runs. */
class MeterScheduleTests {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void waitsTheIntervalWhenNoHourBoundaryComesFirst() {
        assertThat(MeterSchedule.delay(Instant.parse("2030-01-01T10:00:00Z"), MINUTE)).isEqualTo(MINUTE);
        assertThat(MeterSchedule.delay(Instant.parse("2030-01-01T10:58:59Z"), MINUTE)).isEqualTo(MINUTE);
    }

    @Test
    void runsJustAfterAnHourBoundaryThatComesBeforeTheInterval() {
        assertThat(MeterSchedule.delay(Instant.parse("2030-01-01T10:59:30Z"), MINUTE))
                .isEqualTo(Duration.ofSeconds(30).plusMillis(5));
        assertThat(MeterSchedule.delay(Instant.parse("2030-01-01T23:59:59.999Z"), MINUTE))
                .as("never before the hour, even a millisecond ahead of it").isEqualTo(Duration.ofMillis(6));
    }
}
