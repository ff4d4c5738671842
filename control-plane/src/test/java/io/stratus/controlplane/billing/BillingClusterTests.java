package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.controlplane.ControlPlaneApplication;
import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.controlplane.metering.Granularity;
import io.stratus.testing.ApiClient;
import io.stratus.testing.HourBoundary;
import io.stratus.testing.PostgresHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Two control planes sharing one metadata database, as two application contexts in this JVM with their own ports and
 * export directories, and an hourly export cron that fires every second on both. The previous hour must be exported
 * exactly once, by one of them; a re-run on the other writes byte-identical files.
 */
class BillingClusterTests {

    private static final String OPERATOR_KEY = "stk_cluster-operator-key-0123456789abcdefghijklmn";
    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start(PostgresHarness.TestDatabase db, String name) {
        Map<String, Object> props = new java.util.LinkedHashMap<>(Map.of(
                "server.port", "0",
                "stratus.db.url", db.jdbcUrl(),
                "stratus.db.user", db.user(),
                "stratus.db.password", db.password(),
                "stratus.operator-key", OPERATOR_KEY,
                "stratus.agent-bootstrap-token", "sbt_cluster-bootstrap-token",
                "stratus.data-dir", temp.resolve(name).toString(),
                "stratus.billing.export.directory", temp.resolve(name).resolve("exports").toString(),
                "stratus.billing.export.hourly-cron", "* * * * * ?",
                // Never: this test is about the hourly export.
                "stratus.billing.export.daily-cron", "0 0 0 1 1 ? 2099"));
        // The re-run below asks for the previous hour, which may have ended a minute ago.
        props.put("stratus.billing.export.settle", "0s");
        props.put(ControlPlaneTest.SCHEDULER_NAME, "stratus-" + db.name());
        // As arguments, not default properties: those would lose to application.yml (server.port among them).
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ControlPlaneApplication.class).run(args);
        instances.add(ctx);
        return ctx;
    }

    private static int port(ConfigurableApplicationContext ctx) {
        return Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port"));
    }

    private static String instanceId(ConfigurableApplicationContext ctx) throws Exception {
        return ctx.getBean(Scheduler.class).getSchedulerInstanceId();
    }

    @Test
    void eachPeriodIsExportedOnceAcrossInstancesAndReRunsAreByteIdentical() throws Exception {
        // The job exports "the previous hour" when it fires: keep that the same hour for the whole test.
        HourBoundary.awaitAtLeast(Duration.ofSeconds(90));
        BillingPeriod period = BillingPeriod.previous(Granularity.HOUR, Instant.now());

        // Schema and usage in place before any instance starts, so the first firing already sees the usage.
        PostgresHarness.TestDatabase db = PostgresHarness.newDatabase();
        Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(db.jdbcUrl(), db.user(), db.password()));
        UUID tenant = BillingFixtures.tenant(jdbc);
        UUID database = BillingFixtures.database(jdbc, tenant);
        BillingFixtures.usage(jdbc, tenant, database, period.start(), 4242, "360.000000", "1000000", 77, 0);

        ConfigurableApplicationContext a = start(db, "a");
        ConfigurableApplicationContext b = start(db, "b");
        assertThat(jdbc.queryForObject("select count(*) from qrtz_scheduler_state", Long.class)).isEqualTo(2);

        await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(state(jdbc, period)));
        // Several more firings of the every-second cron: none exports the period again.
        long exportedAt = lastHourlyFiring(jdbc);
        await().atMost(Duration.ofSeconds(30)).until(() -> lastHourlyFiring(jdbc) >= exportedAt + 3_000);
        assertThat(jdbc.queryForObject("select runs from billing_exports where period = ?", Integer.class, period.name())).isOne();

        String exporter = jdbc.queryForObject("select instance from billing_exports where period = ?", String.class, period.name());
        assertThat(exporter).isIn(instanceId(a), instanceId(b));
        boolean byA = exporter.equals(instanceId(a));
        Path written = temp.resolve(byA ? "a" : "b").resolve("exports").resolve(period.name());
        Path other = temp.resolve(byA ? "b" : "a").resolve("exports").resolve(period.name());
        assertThat(Files.exists(written.resolve("manifest.json"))).isTrue();
        assertThat(Files.exists(other)).isFalse();
        String csvName = "usage-" + period.name() + ".csv";
        assertThat(Files.readString(written.resolve(csvName))).contains(period.name() + "," + tenant + "," + database + ",requests,4242,requests\n");

        // Re-run on the instance that did not export: same bytes in its own directory.
        var rerun = new ApiClient("http://127.0.0.1:" + port(byA ? b : a))
                .post(OPERATOR_KEY, "/v1/admin/billing-exports", ApiClient.json("period", period.name()));
        assertThat(rerun.status()).as(rerun.raw()).isEqualTo(200);
        assertThat(rerun.json().get("runs").asInt()).isEqualTo(2);
        assertThat(rerun.json().get("instance").asString()).isEqualTo(instanceId(byA ? b : a));
        assertThat(Path.of(rerun.json().get("location").asString())).isEqualTo(other.toAbsolutePath());
        for (String file : List.of(csvName, "usage-" + period.name() + ".jsonl", "manifest.json")) {
            assertThat(Files.readAllBytes(other.resolve(file))).as(file).isEqualTo(Files.readAllBytes(written.resolve(file)));
        }
        assertThat(rerun.json().get("manifestSha256").asString())
                .isEqualTo(ExportFiles.sha256(Files.readAllBytes(written.resolve("manifest.json"))));
        assertThat(jdbc.queryForObject("select count(*) from closed_hours where hour = ?", Long.class,
                Timestamp.from(period.start()))).isOne();
    }

    /** When the cluster last fired the hourly export (epoch ms, Quartz's own record); 0 before the first firing. */
    private static long lastHourlyFiring(JdbcTemplate jdbc) {
        Long at = jdbc.queryForObject("select max(prev_fire_time) from qrtz_triggers where trigger_name = ?", Long.class,
                BillingExportSchedule.HOURLY_JOB.getName());
        return at == null ? 0 : at;
    }

    private static String state(JdbcTemplate jdbc, BillingPeriod period) {
        return jdbc.query("select state from billing_exports where period = ?", rs -> rs.next() ? rs.getString(1) : null,
                period.name());
    }
}
