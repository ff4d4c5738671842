package io.stratus.controlplane.updates;

import io.stratus.controlplane.web.ApiException.FieldError;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A weekly window in UTC when a database's compute may be restarted by a rolling update that respects windows:
 * {@code dayOfWeek} {@code MON}..{@code SUN}, {@code start} {@code HH:mm}, {@code durationMinutes} 1 to 1440. A window
 * may run past midnight into the next day (and past Sunday into Monday).
 */
record MaintenanceWindow(DayOfWeek dayOfWeek, LocalTime start, int durationMinutes) {

    private static final Map<String, DayOfWeek> DAYS = Map.of("MON", DayOfWeek.MONDAY, "TUE", DayOfWeek.TUESDAY,
            "WED", DayOfWeek.WEDNESDAY, "THU", DayOfWeek.THURSDAY, "FRI", DayOfWeek.FRIDAY, "SAT", DayOfWeek.SATURDAY,
            "SUN", DayOfWeek.SUNDAY);
    static final int MAX_MINUTES = 24 * 60;

    /** The request body, as sent. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "MaintenanceWindowRequest")
    record Request(String dayOfWeek, String start, Integer durationMinutes) {
    }

    /** The window as the API shows it. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "MaintenanceWindow")
    record View(String dayOfWeek, String start, int durationMinutes) {
    }

    /** Validates a request; every bad field at once. */
    static MaintenanceWindow parse(Request r, List<FieldError> errors) {
        List<FieldError> mine = new ArrayList<>();
        DayOfWeek day = r.dayOfWeek() == null ? null : DAYS.get(r.dayOfWeek());
        if (day == null) {
            mine.add(new FieldError("dayOfWeek", "must be one of MON, TUE, WED, THU, FRI, SAT, SUN"));
        }
        LocalTime start = null;
        if (r.start() == null || !r.start().matches("^\\d{2}:\\d{2}$")) {
            mine.add(new FieldError("start", "must be a UTC time HH:mm, such as 02:00"));
        } else {
            try {
                start = LocalTime.parse(r.start());
            } catch (DateTimeParseException e) {
                mine.add(new FieldError("start", "must be a UTC time HH:mm, such as 02:00"));
            }
        }
        if (r.durationMinutes() == null || r.durationMinutes() < 1 || r.durationMinutes() > MAX_MINUTES) {
            mine.add(new FieldError("durationMinutes", "must be from 1 to " + MAX_MINUTES));
        }
        errors.addAll(mine);
        return mine.isEmpty() ? new MaintenanceWindow(day, start, r.durationMinutes()) : null;
    }

    /** Whether {@code at} falls inside this week's window, or inside last week's when it runs into this week. */
    boolean contains(Instant at) {
        ZonedDateTime now = at.atZone(ZoneOffset.UTC);
        ZonedDateTime opens = now.with(java.time.temporal.TemporalAdjusters.previousOrSame(dayOfWeek))
                .with(start).withSecond(0).withNano(0);
        if (opens.isAfter(now)) {
            opens = opens.minusWeeks(1);
        }
        return now.isBefore(opens.plus(Duration.ofMinutes(durationMinutes)));
    }

    View view() {
        String day = DAYS.entrySet().stream().filter(e -> e.getValue() == dayOfWeek).findFirst().orElseThrow().getKey();
        return new View(day, start.toString(), durationMinutes);
    }
}
