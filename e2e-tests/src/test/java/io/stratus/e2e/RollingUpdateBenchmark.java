package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.postgres.LocalPostgres;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ProcessRunner;
import io.stratus.postgres.ReleaseLocator;
import io.stratus.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Rolling updates, measured (issue #21): the downtime a client sees through the front door when its compute moves to
 * another minor release (the longest gap between two answered queries of a client that reconnects at once, the
 * front door holding its connection meanwhile), against a raw {@code pg_ctl} stop and start swapping the binary
 * directory on the same machine, same releases, same client; and the pace of a fleet update (20 databases,
 * maxUnavailable 2, a canary). Run with {@code ./mvnw -Pbench verify -pl e2e-tests -Dit.test=RollingUpdateBenchmark}.
 */
class RollingUpdateBenchmark {

    private static final String OP = StratusProcesses.OPERATOR_KEY;
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 6);
    private static final int FLEET = Integer.getInteger("bench.fleet", 20);

    @Test
    void minorUpdateDowntimeVersusRawPgCtlAndFleetPace() throws Exception {
        PostgresRelease embedded = RollingUpdateEndToEndTests.embeddedRelease();
        PostgresRelease host = new ReleaseLocator(List.of(), null).discover().stream()
                .filter(r -> "host".equals(r.source()) && r.major() == embedded.major()).findFirst().orElseThrow();
        StringBuilder report = new StringBuilder(String.format("rolling update: Postgres %s <-> %s, %d rounds%n",
                embedded.version(), host.version(), ROUNDS));
        Path base = Path.of("/tmp", "stratus-bench-ru-" + ProcessHandle.current().pid());
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (StratusProcesses stratus = new StratusProcesses().withAgentFullyCompiled()
                .withAgentEnv("STRATUS_AGENT_RELEASE_DIRS", embedded.binDir().getParent().toString())) {
            stratus.start();
            ApiClient api = stratus.api();
            E2e.Tenant tenant = E2e.newTenant(api);
            List<Long> stratusGaps = new ArrayList<>();
            List<Long> held = new ArrayList<>();
            Created single = database(api, tenant, "single", embedded.version());
            String uri = single.uri();
            String db = single.id();
            for (int r = 0; r < ROUNDS; r++) {
                String target = r % 2 == 0 ? host.version() : embedded.version();
                JsonNode[] done = new JsonNode[1];
                stratusGaps.add(longestGap(uri, () -> done[0] = update(api, "{\"target\":{\"release\":\"" + target
                        + "\"},\"selector\":{\"databaseIds\":[\"" + db + "\"]},\"canary\":0}", Duration.ofSeconds(60))));
                held.add(done[0].at("/items/0/downtimeMillis").asLong());
            }
            List<Long> rawGaps = new ArrayList<>();
            OsUser user = OsUser.forPostgres("postgres");
            try (LocalPostgres raw = LocalPostgres.start(base.resolve("raw"), embedded, user, "bench", true, Map.of())) {
                String rawUri = "postgresql://bench:" + raw.password() + "@127.0.0.1:" + raw.port() + "/postgres";
                Path data = raw.cluster().dataDir();
                for (int r = 0; r < ROUNDS; r++) {
                    PostgresRelease from = r % 2 == 0 ? embedded : host;
                    PostgresRelease to = r % 2 == 0 ? host : embedded;
                    rawGaps.add(longestGap(rawUri, () -> {
                        // What an operator types: stop with the old binaries, start with the new (both wait, -w).
                        ProcessRunner.runOrThrow(user.command(List.of(from.pgCtl().toString(), "-D", data.toString(),
                                "-m", "fast", "-w", "stop")), Duration.ofSeconds(60));
                        ProcessRunner.runOrThrow(user.command(List.of(to.pgCtl().toString(), "-D", data.toString(),
                                "-l", data.resolve("postgres.log").toString(), "-w", "start")), Duration.ofSeconds(60));
                    }));
                }
                if (ROUNDS % 2 == 1) {
                    // Left on the host's binaries: stop with them.
                    new PostgresCluster(host, data, user).stop();
                }
            }
            long stratusMedian = median(stratusGaps);
            long rawMedian = median(rawGaps);
            report.append(String.format("  client-seen downtime, ms (longest gap between answered queries):%n"
                    + "    through the front door, rolling update  %s  median %d%n"
                    + "    (held by the front door, as the item reports  %s)%n"
                    + "    raw pg_ctl stop -m fast; pg_ctl start -w   %s  median %d%n"
                    + "    ratio %.2fx%n", stratusGaps, stratusMedian, held, rawGaps, rawMedian,
                    (double) stratusMedian / rawMedian));

            // Fleet pace: FLEET databases, maxUnavailable 2, one canary.
            List<String> ids = new ArrayList<>();
            // Two tenants: one has a quota of 20 databases, and one is taken.
            List<E2e.Tenant> owners = List.of(E2e.newTenant(api), E2e.newTenant(api));
            for (int i = 0; i < FLEET; i++) {
                ids.add("\"" + database(api, owners.get(i % 2), "fleet" + i, embedded.version()).id() + "\"");
            }
            JsonNode fleet = update(api, "{\"target\":{\"release\":\"" + host.version() + "\"},\"selector\":"
                    + "{\"databaseIds\":[" + String.join(",", ids) + "]},\"canary\":1,\"maxUnavailable\":2}",
                    Duration.ofMinutes(10));
            double seconds = Duration.between(Instant.parse(fleet.get("createdAt").asString()),
                    Instant.parse(fleet.get("finishedAt").asString())).toMillis() / 1000.0;
            List<Long> fleetHeld = new ArrayList<>();
            fleet.get("items").forEach(i -> fleetHeld.add(i.get("downtimeMillis").asLong()));
            Collections.sort(fleetHeld);
            report.append(String.format("  fleet: %d databases, maxUnavailable 2, canary 1: %.1f s, %.1f computes/min;"
                    + " held ms median %d, max %d%n", FLEET, seconds, FLEET / seconds * 60, median(fleetHeld),
                    fleetHeld.get(fleetHeld.size() - 1)));
            assertThat(fleet.at("/counts/UPDATED").asInt()).isEqualTo(FLEET);
        } finally {
            PostgresCluster.deleteRecursively(base);
            System.out.print(report);
        }
        Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private record Created(String id, String uri) {
    }

    private static Created database(ApiClient api, E2e.Tenant tenant, String name, String release) {
        var r = api.post(tenant.adminKey(), "/v1/databases", "{\"name\":\"" + name + "\",\"minCu\":0.25,\"maxCu\":1,"
                + "\"release\":\"" + release + "\",\"suspendTimeoutSeconds\":0}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String id = r.at("/database/id").asString();
        await().atMost(Duration.ofSeconds(120)).until(() -> "RUNNING".equals(api.get(tenant.adminKey(),
                "/v1/databases/" + id).text("state")));
        return new Created(id, r.at("/connection/uri").asString());
    }

    private static JsonNode update(ApiClient api, String body, Duration atMost) {
        var r = api.post(OP, "/v1/admin/rolling-updates", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String id = r.text("id");
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get(OP, "/v1/admin/rolling-updates/" + id).json();
            return "COMPLETED".equals(last[0].get("state").asString());
        });
        return last[0];
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /**
     * The longest time between two answered {@code SELECT 1} of a client that asks again at once and, when its
     * connection breaks, reconnects at once (every millisecond while refused), while {@code action} runs.
     */
    private static long longestGap(String uri, Action action) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        long[] longest = {0};
        Thread client = new Thread(() -> {
            Connection c = null;
            long last = System.nanoTime();
            while (running.get()) {
                try {
                    if (c == null) {
                        c = E2e.connect(uri);
                    }
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT 1");
                    }
                    long now = System.nanoTime();
                    longest[0] = Math.max(longest[0], (now - last) / 1_000_000);
                    last = now;
                } catch (SQLException e) {
                    if (c != null) {
                        try {
                            c.close();
                        } catch (SQLException ignored) {
                            // broken already
                        }
                    }
                    c = null;
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // done
                }
            }
        }, "bench-client");
        client.start();
        Thread.sleep(500);
        action.run();
        Thread.sleep(500);
        running.set(false);
        client.join(30_000);
        return longest[0];
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((sorted.size() - 1) / 2);
    }
}
