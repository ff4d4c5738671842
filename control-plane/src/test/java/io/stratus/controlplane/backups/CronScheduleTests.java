package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.quartz.CronExpression;

class CronScheduleTests {

    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    @Test
    void aDailyScheduleBecomesQuartzsWithADayPeriod() {
        CronSchedule s = CronSchedule.parse("0 3 * * *", FIVE_MINUTES);

        assertThat(s.quartz()).isEqualTo("0 0 3 * * ?");
        assertThat(s.period()).isEqualTo(Duration.ofDays(1));
        assertThat(s.shortestGap()).isEqualTo(Duration.ofDays(1));
    }

    // Unix counts Sunday as 0 (and 7), Quartz as 1: numbers passed through would move every weekly backup a day.
    @Test
    void daysOfTheWeekAreTranslatedByNameNotByNumber() throws ParseException {
        CronSchedule sundays = CronSchedule.parse("30 2 * * 0", FIVE_MINUTES);
        CronSchedule weekdays = CronSchedule.parse("0 1 * * 1-5", FIVE_MINUTES);
        CronSchedule seven = CronSchedule.parse("0 1 * * 7", FIVE_MINUTES);

        assertThat(sundays.quartz()).isEqualTo("0 30 2 ? * SUN");
        assertThat(seven.quartz()).isEqualTo("0 0 1 ? * SUN");
        assertThat(weekdays.quartz()).isEqualTo("0 0 1 ? * MON,TUE,WED,THU,FRI");
        assertThat(sundays.period()).isEqualTo(Duration.ofDays(7));
        // 2026-12-06 is a Sunday: Quartz fires the translated expression on it.
        CronExpression quartz = new CronExpression(sundays.quartz());
        quartz.setTimeZone(TimeZone.getTimeZone("UTC"));
        assertThat(quartz.getNextValidTimeAfter(Date.from(Instant.parse("2026-12-03T00:00:00Z"))).toInstant())
                .isEqualTo(Instant.parse("2026-12-06T02:30:00Z"));
    }

    @Test
    void aScheduleMoreFrequentThanTheMinimumIsRefusedAtItsShortestGap() {
        assertThatThrownBy(() -> CronSchedule.parse("*/2 * * * *", FIVE_MINUTES))
                .hasMessageContaining("every 2 minutes").hasMessageContaining("at most every 5 minutes");
        // Every 7 minutes, but 56 -> 0 is 4 minutes.
        assertThatThrownBy(() -> CronSchedule.parse("*/7 * * * *", FIVE_MINUTES)).hasMessageContaining("every 4 minutes");
        assertThat(CronSchedule.parse("*/5 * * * *", FIVE_MINUTES).shortestGap()).isEqualTo(FIVE_MINUTES);
        assertThat(CronSchedule.parse("* * * * *", Duration.ofMinutes(1)).shortestGap()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void badSchedulesAreRefusedWithAReason() {
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * *", FIVE_MINUTES)).hasMessageContaining("5-field");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 3 * * ?", FIVE_MINUTES)).hasMessageContaining("5-field");
        assertThatThrownBy(() -> CronSchedule.parse("60 3 * * *", FIVE_MINUTES)).hasMessageContaining("minute");
        assertThatThrownBy(() -> CronSchedule.parse("0 24 * * *", FIVE_MINUTES)).hasMessageContaining("hour");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 L * *", FIVE_MINUTES)).hasMessageContaining("day of month");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 1 * MON", FIVE_MINUTES)).hasMessageContaining("not both");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 31 2 *", FIVE_MINUTES)).hasMessageContaining("never");
        assertThatThrownBy(() -> CronSchedule.parse("0 5-3 * * *", FIVE_MINUTES)).hasMessageContaining("backwards");
        assertThatThrownBy(() -> CronSchedule.parse("", FIVE_MINUTES)).hasMessageContaining("required");
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * FOO *", FIVE_MINUTES)).hasMessageContaining("FOO");
    }

    @Test
    void namesAndListsAreAcceptedAndNormalised() {
        CronSchedule s = CronSchedule.parse("  15  4,16 * jan-jun  sat ", FIVE_MINUTES);

        assertThat(s.unix()).isEqualTo("15 4,16 * JAN-JUN SAT");
        assertThat(s.quartz()).isEqualTo("0 15 4,16 ? JAN-JUN SAT");
    }
}
