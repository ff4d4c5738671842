package io.stratus.controlplane.updates;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.web.ApiException.FieldError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaintenanceWindowTests {

    private static MaintenanceWindow window(String day, String start, int minutes) {
        List<FieldError> errors = new ArrayList<>();
        MaintenanceWindow w = MaintenanceWindow.parse(new MaintenanceWindow.Request(day, start, minutes), errors);
        assertThat(errors).isEmpty();
        return w;
    }

    @Test
    void containsTheInstantsFromItsStartToItsEndInUtc() {
        // 2026-12-06 is a Sunday.
        MaintenanceWindow w = window("SUN", "02:00", 120);

        assertThat(w.contains(Instant.parse("2026-12-06T01:59:59Z"))).isFalse();
        assertThat(w.contains(Instant.parse("2026-12-06T02:00:00Z"))).isTrue();
        assertThat(w.contains(Instant.parse("2026-12-06T03:59:59Z"))).isTrue();
        assertThat(w.contains(Instant.parse("2026-12-06T04:00:00Z"))).isFalse();
        assertThat(w.contains(Instant.parse("2026-12-09T02:30:00Z"))).as("a Wednesday").isFalse();
    }

    @Test
    void aWindowRunsPastMidnightAndPastTheEndOfTheWeek() {
        MaintenanceWindow w = window("SUN", "23:00", 180);

        assertThat(w.contains(Instant.parse("2026-12-06T23:30:00Z"))).isTrue();
        assertThat(w.contains(Instant.parse("2026-12-07T01:59:00Z"))).as("Monday, 01:59").isTrue();
        assertThat(w.contains(Instant.parse("2026-12-07T02:00:00Z"))).isFalse();
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        List<FieldError> errors = new ArrayList<>();

        MaintenanceWindow w = MaintenanceWindow.parse(new MaintenanceWindow.Request("SUNDAY", "25:00", 0), errors);

        assertThat(w).isNull();
        assertThat(errors).extracting(FieldError::field).containsExactly("dayOfWeek", "start", "durationMinutes");
    }

    @Test
    void missingFieldsAreBadToo() {
        List<FieldError> errors = new ArrayList<>();

        MaintenanceWindow.parse(new MaintenanceWindow.Request(null, "2:00", 1441), errors);

        assertThat(errors).extracting(FieldError::field).containsExactly("dayOfWeek", "start", "durationMinutes");
    }

    @Test
    void showsAsItWasGiven() {
        assertThat(window("TUE", "22:30", 45).view()).isEqualTo(new MaintenanceWindow.View("TUE", "22:30", 45));
    }
}
