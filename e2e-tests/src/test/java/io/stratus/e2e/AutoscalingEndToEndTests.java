package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The sale-day story on a real compute: load makes the CU rise (and the host's cgroup with it), the end of the load
 * brings it back down after the window, idleness suspends the database, and a connection wakes it with its data.
 */
class AutoscalingEndToEndTests {

    private static final Path CPU_CGROUPS = Path.of("/sys/fs/cgroup/cpu/stratus");
    private static StratusProcesses stratus;
    private static E2e.Tenant tenant;

    @BeforeAll
    static void start() {
        stratus = new StratusProcesses()
                .withControlPlaneEnv("STRATUS_AUTOSCALING_DOWNSCALE_WINDOW", "10s");
        stratus.start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterAll
    static void stop() throws Exception {
        stratus.close();
    }

    @Test
    void cuFollowsLoadUpAndDownThenTheDatabaseSuspendsWhenIdle() throws Exception {
        ApiClient api = stratus.api();
        var r = api.post(tenant.adminKey(), "/v1/databases",
                "{\"name\":\"sale\",\"minCu\":0.25,\"maxCu\":2,\"suspendTimeoutSeconds\":20}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String db = r.at("/database/id").asString();
        String uri = r.at("/connection/uri").asString();
        assertThat(E2e.awaitOperation(api, tenant, r.at("/operation/id").asString(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders AS SELECT g AS id FROM generate_series(1, 1000) g");
        }
        String enforcement = view(db).get("enforcement").asString();

        // The sale: two connections burning CPU.
        AtomicBoolean selling = new AtomicBoolean(true);
        ExecutorService load = Executors.newFixedThreadPool(2);
        List<Connection> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Connection c = E2e.connect(uri);
            clients.add(c);
            load.submit(() -> {
                try (Statement st = c.createStatement()) {
                    while (selling.get()) {
                        st.executeQuery("SELECT count(*) FROM generate_series(1, 3000000)").close();
                    }
                }
                return null;
            });
        }
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cu(db).compareTo(new BigDecimal("0.25")) > 0);
            if (enforcement.equals("cgroup-v1")) {
                BigDecimal granted = cu(db);
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        quota(db) == granted.multiply(BigDecimal.valueOf(100_000)).longValue());
            }
        } finally {
            selling.set(false);
            load.shutdown();
            load.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            for (Connection c : clients) {
                c.close();
            }
        }

        // After the load: down to the minimum once the window has passed, never before.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> cu(db).compareTo(new BigDecimal("0.25")) == 0);
        if (enforcement.equals("cgroup-v1")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> quota(db) == 25_000);
        }
        // Idle: suspended after its 20 s timeout, compute stopped, data kept.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> view(db).get("state").asString().equals("SUSPENDED"));
        assertThat(Files.exists(stratus.agentDataDir().resolve("computes").resolve(db).resolve("pgdata").resolve("postmaster.pid")))
                .as("postmaster stopped").isFalse();
        JsonNode events = api.get(tenant.adminKey(), "/v1/databases/" + db + "/scaling-events").json();
        List<String> reasons = events.findValuesAsString("reason");
        assertThat(reasons.get(0)).startsWith("scale up");
        assertThat(reasons).anyMatch(s -> s.startsWith("scale down"));
        assertThat(reasons.get(reasons.size() - 1)).isEqualTo("suspended: no connections for 20s");
        assertThat(events.get(0).at("/metrics/cpuUsedCores").asDouble()).isGreaterThan(0.1);

        // A client of the sleeping database connects as always: the front door wakes it, with its data.
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1000);
        }
        // Observed state: the agent's report that it runs may land a few milliseconds after the query.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> view(db).get("state").asString().equals("RUNNING"));
        List<String> after = api.get(tenant.adminKey(), "/v1/databases/" + db + "/scaling-events").json()
                .findValuesAsString("reason");
        assertThat(after.get(after.size() - 1)).isEqualTo("resumed by a connection");
        var metrics = api.get(tenant.adminKey(), "/v1/databases/" + db + "/metrics");
        assertThat(metrics.json().size()).isGreaterThan(10);
    }

    @Test
    void enforcementIsReportedHonestly() throws Exception {
        ApiClient api = stratus.api();
        var created = E2e.create(api, tenant, "honest");
        assertThat(E2e.awaitOperation(api, tenant, created.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(10)).until(() -> !view(created.id()).get("enforcement").isNull());
        String enforcement = view(created.id()).get("enforcement").asString();
        boolean v1Writable = Files.isWritable(Path.of("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
        assertThat(enforcement).isIn("cgroup-v1", "cgroup-v2", "none");
        switch (enforcement) {
            case "cgroup-v1" -> assertThat(CPU_CGROUPS.resolve(created.id()).resolve("cpu.cfs_quota_us")).exists();
            case "cgroup-v2" -> assertThat(unifiedHierarchy()).as("a cgroup2 mount").isPresent().get()
                    .satisfies(mount -> assertThat(mount.resolve("stratus").resolve(created.id()).resolve("cpu.max")).exists());
            default -> {
                assertThat(v1Writable).as("v1 cpu controller is writable here, yet nothing enforced").isFalse();
                assertThat(System.getenv("STRATUS_TEST_CGROUPS")).as(".ci/run found cgroups writable here, yet nothing enforced")
                        .isNotEqualTo("required");
            }
        }
    }

    /** Where the cgroup v2 (unified) hierarchy is mounted, from this process's mount table. */
    private static Optional<Path> unifiedHierarchy() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" - ", 2))
                .filter(parts -> parts.length == 2 && parts[1].startsWith("cgroup2 "))
                .map(parts -> Path.of(parts[0].split(" ")[4]))
                .findFirst();
    }

    private static JsonNode view(String db) {
        return stratus.api().get(tenant.adminKey(), "/v1/databases/" + db).json();
    }

    private static BigDecimal cu(String db) {
        return view(db).get("currentCu").decimalValue();
    }

    private static long quota(String db) throws Exception {
        return Long.parseLong(Files.readString(CPU_CGROUPS.resolve(db).resolve("cpu.cfs_quota_us")).trim());
    }
}
