package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.HourBoundary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A control plane killed (-9) in the middle of a billing export: the next control plane on the same metadata database
 * runs that export again on its own, through Quartz's recovery of the dead instance's firing, and not only at the
 * next cron firing (which this test never lets come).
 */
class BillingExportRecoveryTests {

    private static final String NEVER = "0 0 0 1 1 ? 2099";
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);

    private StratusProcesses stratus;

    @AfterEach
    void stop() throws Exception {
        stratus.close();
    }

    @Test
    void anExportInterruptedByAKilledControlPlaneIsRunAgainByTheNextOne() throws Exception {
        // The job exports "the previous hour" when it runs: keep that one hour for the whole test.
        HourBoundary.awaitAtLeast(Duration.ofSeconds(300));
        Instant periodStart = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        String period = HOUR.format(periodStart);

        stratus = new StratusProcesses()
                .withControlPlaneEnv("STRATUS_BILLING_EXPORT_HOURLY_CRON", NEVER)
                .withControlPlaneEnv("STRATUS_BILLING_EXPORT_DAILY_CRON", NEVER)
                .withControlPlaneEnv("STRATUS_BILLING_EXPORT_SETTLE", "0s")
                .withControlPlaneEnv("STRATUS_BILLING_EXPORT_CATCH_UP", "0s");
        stratus.startControlPlane(); // the schema
        try (Connection db = metadata()) {
            // As an earlier failed run leaves the period: the next firing claims it.
            try (PreparedStatement ps = db.prepareStatement("insert into billing_exports (period, granularity, period_start,"
                    + " period_end, state, runs, error) values (?, 'HOUR', ?, ?, 'FAILED', 1, 'disk full')")) {
                ps.setString(1, period);
                ps.setTimestamp(2, Timestamp.from(periodStart));
                ps.setTimestamp(3, Timestamp.from(periodStart.plus(Duration.ofHours(1))));
                ps.executeUpdate();
            }
        }
        stratus.killControlPlane();

        // A control plane whose cron fires every second, held inside the export: its claim of the period waits for
        // the row this transaction has locked.
        stratus.withControlPlaneEnv("STRATUS_BILLING_EXPORT_HOURLY_CRON", "* * * * * ?");
        String deadInstance;
        try (Connection holder = metadata()) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement("select 1 from billing_exports where period = ? for update")) {
                ps.setString(1, period);
                ps.executeQuery().close();
            }
            stratus.startControlPlane();
            try (Connection db = metadata()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> executingExport(db) != null);
                deadInstance = executingExport(db);
                assertThat(count(db, "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                        + " and query like 'insert into billing_exports%'")).as("the export waits inside its claim").isOne();
            }
            stratus.killControlPlane();
            holder.rollback();
        }

        // The next control plane never fires the cron; only the recovery of the dead one's firing can export.
        stratus.withControlPlaneEnv("STRATUS_BILLING_EXPORT_HOURLY_CRON", NEVER);
        stratus.startControlPlane();
        try (Connection db = metadata()) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> "SUCCEEDED".equals(state(db, period)));
            try (PreparedStatement ps = db.prepareStatement("select instance, location from billing_exports where period = ?")) {
                ps.setString(1, period);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1)).as("run by the new control plane").isNotEqualTo(deadInstance);
                    Path location = Path.of(rs.getString(2));
                    assertThat(location.resolve("manifest.json")).exists();
                    assertThat(location.resolve("usage-" + period + ".csv")).exists();
                    assertThat(Files.readString(location.resolve("manifest.json"))).contains(period);
                }
            }
        }
    }

    private Connection metadata() throws SQLException {
        var m = stratus.metadata();
        return DriverManager.getConnection(m.jdbcUrl(), m.user(), m.password());
    }

    /** The instance running an hourly export firing with recovery requested, if one is. */
    private static String executingExport(Connection db) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("select instance_name from qrtz_fired_triggers where job_name ="
                + " 'hourly-export' and state = 'EXECUTING' and requests_recovery")) {
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String state(Connection db, String period) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("select state from billing_exports where period = ?")) {
            ps.setString(1, period);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
