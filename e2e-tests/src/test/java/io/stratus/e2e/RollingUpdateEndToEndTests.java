package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.postgres.MavenReleaseResolver;
import io.stratus.postgres.PostgresRelease;
import io.stratus.testing.ApiClient;
import io.stratus.testing.BrokenRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Rolling updates on a real agent with two real releases of one major: the host's Postgres 15 and an embedded 15.x
 * from Maven Central (cached in {@code /var/tmp}, where the compute user can run it), plus a release directory that
 * passes for 15.2 and never starts. One stack serves every scenario, in order: a fleet moved with a client connecting
 * in a loop through the front door, a broken target stopped at its canary, a control plane killed mid-update, an
 * agent killed mid-restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollingUpdateEndToEndTests {

    private static final String OP = StratusProcesses.OPERATOR_KEY;
    /** The embedded release (io.zonky.test.postgres), older than the host's 15.18. */
    static final String EMBEDDED_ARTIFACT = "15.17.0";
    private static final String BROKEN = "15.2";
    private static final Path RELEASE_CACHE = Path.of("/var/tmp", "stratus-e2e-releases");
    private static final int DATABASES = 4;

    private StratusProcesses stratus;
    private E2e.Tenant tenant;
    private String older;
    private String newer;
    private final List<Db> dbs = new ArrayList<>();

    record Db(String id, String name, String uri) {
    }

    @BeforeAll
    void start() throws Exception {
        PostgresRelease embedded = embeddedRelease();
        older = embedded.version();
        Path broken = BrokenRelease.create(Path.of("/tmp", "stratus-e2e-broken-" + UUID.randomUUID().toString()
                .substring(0, 8)), BROKEN);
        stratus = new StratusProcesses()
                .withAgentEnv("STRATUS_AGENT_RELEASE_DIRS", embedded.binDir().getParent() + "," + broken);
        stratus.start();
        ApiClient api = stratus.api();
        JsonNode releases = api.get(OP, "/v1/admin/releases").json();
        List<String> offered = new ArrayList<>();
        releases.get("releases").forEach(r -> offered.add(r.asString()));
        newer = offered.stream().filter(r -> r.startsWith("15.") && !r.equals(older) && !r.equals(BROKEN)).findFirst()
                .orElseThrow(() -> new AssertionError("no host 15.x besides " + older + ": " + offered));
        assertThat(offered).contains(older, newer, BROKEN);
        tenant = E2e.newTenant(api);
        for (int i = 0; i < DATABASES; i++) {
            var r = api.post(tenant.adminKey(), "/v1/databases", "{\"name\":\"fleet" + i + "\",\"minCu\":0.25,"
                    + "\"maxCu\":1,\"release\":\"" + older + "\"}");
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            dbs.add(new Db(r.at("/database/id").asString(), "fleet" + i, r.at("/connection/uri").asString()));
        }
        for (Db db : dbs) {
            await().atMost(Duration.ofSeconds(60)).until(() -> "RUNNING".equals(api.get(tenant.adminKey(),
                    "/v1/databases/" + db.id()).text("state")));
            try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE kept AS SELECT g AS id, md5(g::text) AS body FROM generate_series(1, 1000) g");
            }
            assertThat(version(db)).startsWith("PostgreSQL " + older + " ");
        }
    }

    @AfterAll
    void stop() throws Exception {
        stratus.close();
    }

    @Test
    @Order(1)
    void theFleetMovesWithACanaryFirstAndAClientConnectingInALoopSeesNoFailedConnection() throws Exception {
        ApiClient api = stratus.api();
        assertThat(api.get(tenant.adminKey(), "/v1/databases/" + dbs.get(0).id()).text("runningRelease"))
                .isEqualTo(older);
        ConnectLoop loop = new ConnectLoop(dbs.get(1));
        Connection open = E2e.connect(dbs.get(2).uri());
        loop.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.attempts.get() > 20);

        JsonNode update = create("{\"target\":{\"release\":\"" + newer + "\"},\"selector\":{\"databaseIds\":"
                + ids() + "},\"canary\":1,\"maxUnavailable\":2}");
        JsonNode done = awaitState(update.get("id").asString(), "COMPLETED", Duration.ofSeconds(120));
        loop.stop();

        assertThat(loop.failures).as("failed connection attempts through the front door, of %d", loop.attempts.get())
                .isEmpty();
        System.out.printf("rolling update e2e: %d connection attempts during the update, 0 failed, longest %d ms;"
                + " sessions ended by the restart before their query: %d; downtimes (ms) %s%n", loop.attempts.get(),
                loop.longestMillis.get(), loop.endedSessions.size(), downtimes(done));
        assertThat(loop.endedSessions).allMatch(m -> m.startsWith("57P01 "));
        assertThat(done.at("/counts/UPDATED").asInt()).isEqualTo(DATABASES);
        JsonNode canary = done.get("items").get(0);
        assertThat(canary.get("canary").asBoolean()).isTrue();
        for (JsonNode item : done.get("items")) {
            assertThat(item.get("fromRelease").asString()).isEqualTo(older);
            assertThat(item.get("endedOn").asString()).isEqualTo(newer);
            assertThat(item.get("downtimeMillis").asLong()).isBetween(1L, 10_000L);
            if (!item.get("canary").asBoolean()) {
                assertThat(Instant.parse(item.get("startedAt").asString()))
                        .as("the rest starts once the canary is healthy")
                        .isAfterOrEqualTo(Instant.parse(canary.get("finishedAt").asString()));
            }
        }
        for (Db db : dbs) {
            assertThat(version(db)).startsWith("PostgreSQL " + newer + " ");
            assertThat(rows(db)).isEqualTo(1000);
            assertThat(api.get(tenant.adminKey(), "/v1/databases/" + db.id()).text("runningRelease")).isEqualTo(newer);
        }
        // A session open at the restart ends with an ErrorResponse (57P01, admin shutdown), not a hang.
        try (Statement st = open.createStatement()) {
            st.executeQuery("SELECT 1");
            throw new AssertionError("the session open across its compute's restart still answered");
        } catch (SQLException e) {
            assertThat(e.getSQLState()).isIn("57P01", "08006");
        } finally {
            open.close();
        }
        // The fleet default moved: a new database without a release runs the target.
        var later = api.post(tenant.adminKey(), "/v1/databases", ApiClient.json("name", "later", "minCu", 0.25,
                "maxCu", 1));
        assertThat(later.at("/database/release").asString()).isEqualTo(newer);
        String laterId = later.at("/database/id").asString();
        await().atMost(Duration.ofSeconds(60)).until(() -> "RUNNING".equals(api.get(tenant.adminKey(),
                "/v1/databases/" + laterId).text("state")));
        try (Connection c = E2e.connect(later.at("/connection/uri").asString()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            assertThat(rs.getString(1)).startsWith("PostgreSQL " + newer + " ");
        }
    }

    @Test
    @Order(2)
    void aBrokenTargetFailsItsCanaryWhichKeepsServingAndNothingElseIsTouched() throws Exception {
        JsonNode update = create("{\"target\":{\"release\":\"" + BROKEN + "\"},\"selector\":{\"databaseIds\":"
                + ids() + "},\"canary\":1,\"maxUnavailable\":2,\"failureThreshold\":3}");
        String id = update.get("id").asString();

        JsonNode paused = awaitState(id, "PAUSED", Duration.ofSeconds(90));

        assertThat(paused.get("pauseReason").asString()).startsWith("a canary failed");
        JsonNode canary = paused.get("items").get(0);
        assertThat(canary.get("state").asString()).isEqualTo("FAILED");
        assertThat(canary.get("error").asString()).startsWith("rolled-back: ").contains("cannot start");
        assertThat(canary.get("endedOn").asString()).isEqualTo(newer);
        assertThat(paused.at("/counts/PENDING").asInt()).isEqualTo(DATABASES - 1);
        for (Db db : dbs) {
            assertThat(version(db)).as("still serving, on the release it had").startsWith("PostgreSQL " + newer + " ");
            assertThat(rows(db)).isEqualTo(1000);
        }
        JsonNode aborted = stratus.api().post(OP, "/v1/admin/rolling-updates/" + id + "/abort", null).json();
        assertThat(aborted.get("state").asString()).isIn("ABORTING", "ABORTED");
        assertThat(awaitState(id, "ABORTED", Duration.ofSeconds(30)).at("/counts/SKIPPED").asInt())
                .isEqualTo(DATABASES - 1);
    }

    // The control plane dies with the update under way: the next one continues from the rows, each database once.
    @Test
    @Order(3)
    void aControlPlaneKilledMidUpdateContinuesWhereItWas() throws Exception {
        JsonNode update = create("{\"target\":{\"release\":\"" + older + "\"},\"selector\":{\"databaseIds\":"
                + ids() + "},\"canary\":0,\"maxUnavailable\":1}");
        String id = update.get("id").asString();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() ->
                get(id).at("/counts/UPDATED").asInt() >= 1);

        stratus.killControlPlane();
        stratus.startControlPlane();

        JsonNode done = awaitState(id, "COMPLETED", Duration.ofSeconds(120));
        assertThat(done.at("/counts/UPDATED").asInt()).isEqualTo(DATABASES);
        for (JsonNode item : done.get("items")) {
            assertThat(item.get("endedOn").asString()).isEqualTo(older);
        }
        for (Db db : dbs) {
            assertThat(version(db)).startsWith("PostgreSQL " + older + " ");
            JsonNode tasks = stratus.api().get(OP, "/v1/admin/databases/" + db.id() + "/tasks").json();
            long mine = 0;
            for (JsonNode t : tasks) {
                if (t.get("type").asString().equals("restart-on-release")
                        && t.at("/parameters/release").asString().equals(older)
                        && t.at("/parameters/specVersion").asLong() > 0
                        && Instant.parse(t.get("createdAt").asString()).isAfter(
                        Instant.parse(done.get("createdAt").asString()))) {
                    mine++;
                }
            }
            assertThat(mine).as("restart tasks of " + db.name() + " in this update").isEqualTo(1);
        }
    }

    // kill -9 of the agent while it restarts a compute: the next agent ends it on one of the two releases, running,
    // and the item says which.
    @Test
    @Order(4)
    void anAgentKilledMidRestartEndsOnOneOfTheTwoReleasesAndTheItemSaysWhich() throws Exception {
        Db db = dbs.get(3);
        Path log = stratus.logFiles().stream().filter(p -> p.getFileName().toString().contains("-agent-"))
                .reduce((a, b) -> b).orElseThrow();
        long before = Files.size(log);
        JsonNode update = create("{\"target\":{\"release\":\"" + newer + "\"},\"selector\":{\"databaseIds\":[\""
                + db.id() + "\"]},\"canary\":0}");
        String id = update.get("id").asString();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2)).until(() ->
                Files.readString(log).substring((int) before).contains("planned restart from Postgres"));

        stratus.killAgent();
        stratus.startAgent();

        JsonNode item = await().atMost(Duration.ofSeconds(120)).until(() -> get(id).get("items").get(0),
                i -> i.get("state").asString().equals("UPDATED") || i.get("state").asString().equals("FAILED"));
        String endedOn = item.get("endedOn").asString();
        System.out.printf("rolling update e2e: agent killed mid-restart, item %s, ended on %s%n",
                item.get("state").asString(), endedOn);
        assertThat(endedOn).isIn(older, newer);
        assertThat(version(db)).as("running, on the release the item names").startsWith("PostgreSQL " + endedOn + " ");
        assertThat(rows(db)).isEqualTo(1000);
    }

    // ---- helpers ----

    /** The embedded release, resolved from Maven Central once into a cache the compute user can reach. */
    static PostgresRelease embeddedRelease() throws Exception {
        Files.createDirectories(RELEASE_CACHE);
        Files.setPosixFilePermissions(RELEASE_CACHE, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new MavenReleaseResolver(RELEASE_CACHE).resolve(EMBEDDED_ARTIFACT);
    }

    private JsonNode create(String body) {
        var r = stratus.api().post(OP, "/v1/admin/rolling-updates", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r.json();
    }

    private JsonNode get(String id) {
        return stratus.api().get(OP, "/v1/admin/rolling-updates/" + id).json();
    }

    private JsonNode awaitState(String id, String state, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = get(id);
            return state.equals(last[0].get("state").asString());
        });
        return last[0];
    }

    private String ids() {
        return "[" + String.join(",", dbs.stream().map(d -> "\"" + d.id() + "\"").toList()) + "]";
    }

    private static String downtimes(JsonNode update) {
        List<Long> ms = new ArrayList<>();
        update.get("items").forEach(i -> ms.add(i.get("downtimeMillis").asLong()));
        return ms.toString();
    }

    private static String version(Db db) throws SQLException {
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long rows(Db db) throws SQLException {
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM kept")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * A client that connects, asks one question and disconnects, again and again: what it saw. A connection attempt
     * fails when no session is established; a session that was established and then ended by its compute's restart
     * before its question was answered (57P01) is counted apart, as a session open at the restart.
     */
    static final class ConnectLoop {
        final Db db;
        final AtomicLong attempts = new AtomicLong();
        final AtomicLong longestMillis = new AtomicLong();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> endedSessions = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        ConnectLoop(Db db) {
            this.db = db;
        }

        void start() {
            thread = new Thread(() -> {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    Connection c;
                    try {
                        c = E2e.connect(db.uri());
                    } catch (SQLException e) {
                        failures.add(e.getSQLState() + " " + e.getMessage());
                        attempts.incrementAndGet();
                        continue;
                    }
                    attempts.incrementAndGet();
                    longestMillis.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    try (c; Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                        rs.next();
                    } catch (SQLException e) {
                        endedSessions.add(e.getSQLState() + " " + e.getMessage());
                    }
                }
            }, "connect-loop");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(60_000);
        }
    }
}
