package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.controlplane.ControlPlaneApplication;
import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.protocol.TaskStatus;
import io.stratus.testing.ApiClient;
import io.stratus.testing.PostgresHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Backup schedules in Quartz's clustered job store, with control planes of their own (application contexts in this
 * JVM sharing one metadata database): each firing takes exactly one backup whichever instance runs it, a firing missed
 * while every control plane was down runs once on recovery, and without a backup store backups answer 409.
 */
class BackupClusterTests {

    private static final String OPERATOR_KEY = "stk_backup-cluster-operator-key-0123456789abcdef";
    private static final String BOOTSTRAP_TOKEN = "sbt_backup-cluster-bootstrap-token";
    private final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    private final AtomicBoolean completing = new AtomicBoolean(true);

    @TempDir
    Path temp;

    @AfterEach
    void stop() {
        completing.set(false);
        instances.forEach(ConfigurableApplicationContext::close);
    }

    private ConfigurableApplicationContext start(PostgresHarness.TestDatabase db, String name, boolean store,
                                                 Map<String, String> more) {
        Map<String, Object> props = new LinkedHashMap<>(Map.of(
                "server.port", "0",
                "stratus.db.url", db.jdbcUrl(),
                "stratus.db.user", db.user(),
                "stratus.db.password", db.password(),
                "stratus.operator-key", OPERATOR_KEY,
                "stratus.agent-bootstrap-token", BOOTSTRAP_TOKEN,
                "stratus.data-dir", temp.resolve(name).toString(),
                "stratus.backups.min-interval", "1m",
                "stratus.backups.verification-cron", "0 0 0 1 1 ? 2099",
                ControlPlaneTest.SCHEDULER_NAME, "stratus-" + db.name()));
        props.put("stratus.billing.export.catch-up", "0s");
        if (store) {
            props.put("stratus.backups.store.type", "filesystem");
            props.put("stratus.backups.store.directory", temp.resolve("store").toString());
        }
        props.putAll(more);
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ControlPlaneApplication.class).run(args);
        instances.add(ctx);
        return ctx;
    }

    private static ApiClient api(ConfigurableApplicationContext ctx) {
        return new ApiClient("http://127.0.0.1:" + ctx.getEnvironment().getProperty("local.server.port"));
    }

    private static JdbcTemplate jdbc(PostgresHarness.TestDatabase db) {
        return new JdbcTemplate(new DriverManagerDataSource(db.jdbcUrl(), db.user(), db.password()));
    }

    /** A tenant's database observed running on a node, through the instance's API: what a backup needs. */
    private record Running(String adminKey, UUID nodeId, UUID databaseId) {
    }

    private static Running runningDatabase(ApiClient api) {
        var tenant = api.post(OPERATOR_KEY, "/v1/tenants", ApiClient.json("name", "t-" + UUID.randomUUID()));
        String admin = api.post(OPERATOR_KEY, "/v1/tenants/" + tenant.text("id") + "/api-keys",
                ApiClient.json("role", "tenant-admin")).text("key");
        var node = api.post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"n-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":10,\"releases\":[\"15.18\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(node.status()).as(node.raw()).isEqualTo(201);
        String nodeId = node.text("nodeId");
        var created = api.post(admin, "/v1/databases", ApiClient.json("name", "app", "minCu", 0.25, "maxCu", 1));
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String db = created.at("/database/id").asString();
        long generation = api.get(node.text("credential"), "/agent/v1/nodes/" + nodeId
                + "/desired-state?after=0&waitSeconds=0").json().get("generation").asLong();
        var r = api.post(node.text("credential"), "/agent/v1/nodes/" + nodeId + "/status", "{\"nodeId\":\"" + nodeId
                + "\",\"observedGeneration\":" + generation + ",\"reconciledGeneration\":" + generation
                + ",\"observedAt\":\"2026-01-01T00:00:00Z\",\"capacityCu\":10,\"enforcement\":\"none\",\"computes\":["
                + "{\"computeId\":\"" + db + "\",\"phase\":\"RUNNING\",\"specVersion\":1,\"release\":\"15.18\","
                + "\"acceptingLogins\":true,\"restarts\":0,\"message\":null}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
        return new Running(admin, UUID.fromString(nodeId), UUID.fromString(db));
    }

    /** Plays the agent: every running backup of the database succeeds as soon as it is seen. */
    private void completeBackups(JdbcTemplate jdbc, ComputeTasks tasks, Running db) {
        Thread completer = new Thread(() -> {
            while (completing.get()) {
                for (Map<String, Object> row : jdbc.queryForList("select id, task_id from backups where database_id = ? "
                        + "and state = 'RUNNING'", db.databaseId())) {
                    UUID id = (UUID) row.get("id");
                    tasks.ingest(db.nodeId(), List.of(TaskStatus.succeeded((UUID) row.get("task_id"), "done",
                            BackupTest.backupResult(db.databaseId(), id, Instant.now(), "000000010000000000000003"),
                            Instant.now())));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "agent-completing-backups");
        completer.setDaemon(true);
        completer.start();
    }

    private static long backups(JdbcTemplate jdbc, UUID databaseId) {
        return jdbc.queryForObject("select count(*) from backups where database_id = ?", Long.class, databaseId);
    }

    @Test
    void twoControlPlanesTakeExactlyOneBackupPerFiring() throws Exception {
        PostgresHarness.TestDatabase metadata = PostgresHarness.newDatabase();
        ConfigurableApplicationContext a = start(metadata, "a", true, Map.of());
        ConfigurableApplicationContext b = start(metadata, "b", true, Map.of());
        JdbcTemplate jdbc = jdbc(metadata);
        assertThat(jdbc.queryForObject("select count(*) from qrtz_scheduler_state", Long.class)).isEqualTo(2);
        Running db = runningDatabase(api(a));
        var policy = api(b).send(db.adminKey(), "PUT", "/v1/databases/" + db.databaseId() + "/backup-policy",
                "{\"schedule\":\"* * * * *\",\"retentionDays\":7}", Map.of());
        assertThat(policy.status()).as(policy.raw()).isEqualTo(200);
        completeBackups(jdbc, a.getBean(ComputeTasks.class), db);

        // The policy's trigger, made to fire N times a few seconds apart instead of once a minute.
        int firings = 4;
        Trigger fast = TriggerBuilder.newTrigger()
                .withIdentity(BackupTriggers.triggerKey(db.databaseId()))
                .forJob(BackupTriggers.jobKey(db.databaseId()))
                .startAt(java.util.Date.from(Instant.now().plusSeconds(1)))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInSeconds(3).withRepeatCount(firings - 1))
                .build();
        a.getBean(Scheduler.class).rescheduleJob(fast.getKey(), fast);

        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject("select count(*) from qrtz_triggers "
                + "where trigger_name = ?", Long.class, fast.getKey().getName()) == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject("select count(*) from backups where "
                + "database_id = ? and state = 'RUNNING'", Long.class, db.databaseId()) == 0);

        assertThat(backups(jdbc, db.databaseId())).isEqualTo(firings);
        assertThat(jdbc.queryForObject("select count(distinct scheduled_for) from backups where database_id = ? and "
                + "trigger = 'SCHEDULED' and state = 'SUCCEEDED'", Long.class, db.databaseId())).isEqualTo(firings);
        assertThat(jdbc.queryForObject("select count(*) from operations where database_id = ? and type = "
                + "'BACKUP_DATABASE'", Long.class, db.databaseId())).isEqualTo(firings);
    }

    @Test
    void aFiringMissedWhileEveryControlPlaneWasDownRunsOnceOnRecovery() {
        PostgresHarness.TestDatabase metadata = PostgresHarness.newDatabase();
        ConfigurableApplicationContext c = start(metadata, "c", true,
                Map.of("spring.quartz.properties.org.quartz.jobStore.misfireThreshold", "1000",
                        "stratus.backups.default-policy.schedule", "30 2 * * *",
                        "stratus.backups.default-policy.retention-days", "3"));
        JdbcTemplate jdbc = jdbc(metadata);
        Running db = runningDatabase(api(c));
        var defaults = api(c).get(db.adminKey(), "/v1/databases/" + db.databaseId() + "/backup-policy");
        assertThat(defaults.text("schedule")).as("a new database gets the default policy").isEqualTo("30 2 * * *");
        assertThat(defaults.json().get("retentionDays").asInt()).isEqualTo(3);
        var policy = api(c).send(db.adminKey(), "PUT", "/v1/databases/" + db.databaseId() + "/backup-policy",
                "{\"schedule\":\"0 * * * *\",\"retentionDays\":7}", Map.of());
        assertThat(policy.status()).as(policy.raw()).isEqualTo(200);
        completeBackups(jdbc, c.getBean(ComputeTasks.class), db);

        // As if the control planes had been down for five hourly firings: the trigger's next firing is long past.
        long missed = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(5)).toEpochMilli();
        jdbc.update("update qrtz_triggers set next_fire_time = ? where trigger_name = ?", missed,
                BackupTriggers.triggerKey(db.databaseId()).getName());

        await().atMost(Duration.ofSeconds(30)).until(() -> backups(jdbc, db.databaseId()) >= 1);
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> backups(jdbc, db.databaseId()) == 1);
        assertThat(jdbc.queryForObject("select next_fire_time from qrtz_triggers where trigger_name = ?", Long.class,
                BackupTriggers.triggerKey(db.databaseId()).getName())).isGreaterThan(System.currentTimeMillis());
    }

    @Test
    void withoutABackupStoreBackupsAnswerNotConfigured() {
        PostgresHarness.TestDatabase metadata = PostgresHarness.newDatabase();
        ConfigurableApplicationContext d = start(metadata, "d", false, Map.of());
        Running db = runningDatabase(api(d));
        String base = "/v1/databases/" + db.databaseId();

        List<ApiClient.Response> answers = List.of(
                api(d).post(db.adminKey(), base + "/backups", null),
                api(d).send(db.adminKey(), "PUT", base + "/backup-policy", "{\"schedule\":\"0 3 * * *\","
                        + "\"retentionDays\":7}", Map.of()),
                api(d).get(db.adminKey(), base + "/recovery-window"),
                api(d).post(db.adminKey(), base + "/restore", ApiClient.json("pointInTime", Instant.now().toString(),
                        "newDatabaseName", "copy")));

        assertThat(answers).allSatisfy(r -> {
            assertThat(r.status()).as(r.raw()).isEqualTo(409);
            assertThat(r.text("type")).endsWith("/backups-not-configured");
        });
        assertThat(api(d).get(db.adminKey(), base).text("backupStatus")).isEqualTo("NONE");
        assertThat(jdbc(metadata).queryForObject("select count(*) from compute_tasks", Long.class)).isZero();
    }
}
