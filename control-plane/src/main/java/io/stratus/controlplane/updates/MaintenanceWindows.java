package io.stratus.controlplane.updates;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** The databases' maintenance windows, one per database at most. */
@Component
class MaintenanceWindows {

    private final JdbcClient jdbc;
    private final Clock clock;

    MaintenanceWindows(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    Optional<MaintenanceWindow> of(UUID databaseId) {
        return jdbc.sql("select day_of_week, start_time, duration_minutes from maintenance_windows where database_id = ?")
                .param(databaseId).query((rs, n) -> window(rs.getString(1), rs.getObject(2, LocalTime.class), rs.getInt(3)))
                .optional();
    }

    @Transactional(readOnly = true)
    Map<UUID, MaintenanceWindow> of(Collection<UUID> databaseIds) {
        Map<UUID, MaintenanceWindow> windows = new HashMap<>();
        jdbc.sql("select database_id, day_of_week, start_time, duration_minutes from maintenance_windows "
                        + "where database_id = any(?)")
                .param(databaseIds.toArray(UUID[]::new))
                .query(rs -> {
                    windows.put(rs.getObject(1, UUID.class),
                            window(rs.getString(2), rs.getObject(3, LocalTime.class), rs.getInt(4)));
                });
        return windows;
    }

    @Transactional
    void put(UUID databaseId, MaintenanceWindow w) {
        jdbc.sql("insert into maintenance_windows (database_id, day_of_week, start_time, duration_minutes, updated_at) "
                        + "values (?, ?, ?, ?, ?) on conflict (database_id) do update set day_of_week = excluded.day_of_week, "
                        + "start_time = excluded.start_time, duration_minutes = excluded.duration_minutes, "
                        + "updated_at = excluded.updated_at")
                .params(databaseId, w.view().dayOfWeek(), w.start(), w.durationMinutes(), Timestamp.from(clock.instant()))
                .update();
    }

    @Transactional
    boolean delete(UUID databaseId) {
        return jdbc.sql("delete from maintenance_windows where database_id = ?").param(databaseId).update() > 0;
    }

    private static MaintenanceWindow window(String day, LocalTime start, int minutes) {
        DayOfWeek d = switch (day) {
            case "MON" -> DayOfWeek.MONDAY;
            case "TUE" -> DayOfWeek.TUESDAY;
            case "WED" -> DayOfWeek.WEDNESDAY;
            case "THU" -> DayOfWeek.THURSDAY;
            case "FRI" -> DayOfWeek.FRIDAY;
            case "SAT" -> DayOfWeek.SATURDAY;
            default -> DayOfWeek.SUNDAY;
        };
        return new MaintenanceWindow(d, start, minutes);
    }
}
