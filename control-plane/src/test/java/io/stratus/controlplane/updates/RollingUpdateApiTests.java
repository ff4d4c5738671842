package io.stratus.controlplane.updates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Rolling updates through the API, with the test playing the node's agent: it reports its computes and the results of
 * the restart tasks the control plane hands it. The real restarts are {@code RollingUpdateEndToEndTests}'.
 */
class RollingUpdateApiTests extends ControlPlaneTest {

    private String nodeId;
    private String credential;
    private TestTenant tenant;
    private String oldRelease;
    private String newRelease;
    /** What the fake agent reports each database running, by id. */
    private final Map<String, String> running = new HashMap<>();
    private final Map<String, Long> applied = new HashMap<>();

    @Autowired
    private RollingUpdateSteps updates;

    @BeforeEach
    void node() {
        // Minor versions no other test's node offers, so that this node alone can take these databases.
        int minor = 1000 + new Random().nextInt(1_000_000);
        oldRelease = "15." + minor;
        newRelease = "15." + (minor + 1);
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"ru-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z\",\"capacityCu\":16,\"releases\":[\"" + oldRelease + "\",\""
                + newRelease + "\"],\"frontDoorPort\":6432}");
        nodeId = reg.text("nodeId");
        credential = reg.text("credential");
        tenant = newTenant();
    }

    @AfterEach
    void fleetDefaultBack() {
        // The fleet default is shared by every test of this context: a completed update must not move theirs.
        jdbc.update("delete from fleet_settings where name = 'default_release'");
    }

    @Test
    void theCanaryGoesFirstThenBatchesOfMaxUnavailableAndTheFleetDefaultMoves() {
        List<String> dbs = databases(4);

        var created = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", "{\"target\":{\"release\":\"" + newRelease
                + "\"},\"selector\":{\"nodeId\":\"" + nodeId + "\"},\"canary\":1,\"maxUnavailable\":2}");

        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String id = created.text("id");
        assertThat(created.headers().get("Location")).containsExactly("/v1/admin/rolling-updates/" + id);
        assertThat(created.at("/counts/PENDING").asInt()).isEqualTo(4);
        List<JsonNode> canary = awaitOpenTasks(1);
        assertThat(spec(canary.get(0).get("computeId").asString()).get("release").asString()).isEqualTo(newRelease);
        assertThat(canary.get(0).at("/parameters/release").asString()).isEqualTo(newRelease);
        report(canary, true);

        List<JsonNode> batch = awaitOpenTasks(2);
        assertThat(batch).extracting(t -> t.get("computeId").asString()).doesNotContain(
                canary.get(0).get("computeId").asString());
        report(batch, true);
        report(awaitOpenTasks(1), true);

        JsonNode done = awaitState(id, "COMPLETED");
        assertThat(done.at("/counts/UPDATED").asInt()).isEqualTo(4);
        assertThat(done.at("/progress/percent").asInt()).isEqualTo(100);
        for (JsonNode item : done.get("items")) {
            assertThat(item.get("fromRelease").asString()).isEqualTo(oldRelease);
            assertThat(item.get("toRelease").asString()).isEqualTo(newRelease);
            assertThat(item.get("endedOn").asString()).isEqualTo(newRelease);
            assertThat(item.get("downtimeMillis").asLong()).isEqualTo(42);
        }
        assertThat(done.at("/items/0/canary").asBoolean()).isTrue();
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + dbs.get(0)).text("runningRelease"))
                .isEqualTo(newRelease);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/releases").text("defaultRelease")).isEqualTo(newRelease);
        var later = api().post(tenant.adminKey(), "/v1/databases", ApiClient.json("name", "later", "minCu", 0.25,
                "maxCu", 1));
        assertThat(later.at("/database/release").asString()).isEqualTo(newRelease);
    }

    @Test
    void aFailedCanaryPausesTheUpdateAndPutsItsPreviousReleaseBackInItsSpec() {
        databases(3);
        String id = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", "{\"target\":{\"release\":\"" + newRelease
                + "\"},\"selector\":{\"nodeId\":\"" + nodeId + "\"},\"maxUnavailable\":3}").text("id");

        List<JsonNode> canary = awaitOpenTasks(1);
        report(canary, false);

        JsonNode paused = awaitState(id, "PAUSED");
        assertThat(paused.get("pauseReason").asString()).startsWith("a canary failed");
        assertThat(paused.at("/counts/FAILED").asInt()).isEqualTo(1);
        assertThat(paused.at("/counts/PENDING").asInt()).isEqualTo(2);
        assertThat(paused.at("/items/0/error").asString()).startsWith("rolled-back: ");
        assertThat(paused.at("/items/0/endedOn").asString()).isEqualTo(oldRelease);
        String db = canary.get(0).get("computeId").asString();
        assertThat(spec(db).get("release").asString()).isEqualTo(oldRelease);
        assertThat(openTasks()).isEmpty();

        // Rolled back: nothing was updated, the rest is skipped.
        assertThat(api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id + "/rollback", null).status())
                .isEqualTo(200);
        JsonNode rolledBack = awaitState(id, "ROLLED_BACK");
        assertThat(rolledBack.at("/counts/SKIPPED").asInt()).isEqualTo(2);
    }

    // One database's window is open now, one's is three days away, one has none: an update that respects windows
    // restarts the first and the last and leaves the second waiting.
    @Test
    void anUpdateThatRespectsWindowsRestartsADatabaseOnlyInsideItsWindow() {
        List<String> dbs = databases(3);
        java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1);
        window(dbs.get(0), now.getDayOfWeek(), now.toLocalTime(), 60);
        window(dbs.get(1), now.getDayOfWeek().plus(3), now.toLocalTime(), 60);
        String id = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", "{\"target\":{\"release\":\"" + newRelease
                + "\"},\"selector\":{\"nodeId\":\"" + nodeId + "\"},\"canary\":0,\"maxUnavailable\":3,"
                + "\"respectMaintenanceWindows\":true}").text("id");

        List<JsonNode> started = awaitOpenTasks(2);

        assertThat(started).extracting(t -> t.get("computeId").asString())
                .containsExactlyInAnyOrder(dbs.get(0), dbs.get(2));
        report(started, true);
        await().atMost(Duration.ofSeconds(15)).until(() -> api().get(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id)
                .at("/counts/UPDATED").asInt() == 2);
        JsonNode update = api().get(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id).json();
        assertThat(update.get("state").asString()).isEqualTo("RUNNING");
        assertThat(update.at("/counts/PENDING").asInt()).as("the one outside its window waits").isEqualTo(1);
        assertThat(openTasks()).isEmpty();
        assertThat(spec(dbs.get(1)).get("release").asString()).isEqualTo(oldRelease);
        api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id + "/abort", null);
    }

    private void window(String db, java.time.DayOfWeek day, java.time.LocalTime start, int minutes) {
        String d = day.name().substring(0, 3);
        String hhmm = String.format("%02d:%02d", start.getHour(), start.getMinute());
        var r = api().send(tenant.adminKey(), "PUT", "/v1/databases/" + db + "/maintenance-window",
                "{\"dayOfWeek\":\"" + d + "\",\"start\":\"" + hhmm + "\",\"durationMinutes\":" + minutes + "}",
                Map.of());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    @Test
    void pauseAndResumeAndAbortAnswerOnlyInTheirStates() {
        databases(2);
        String id = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", "{\"target\":{\"settings\":"
                + "{\"statement_timeout\":\"30s\"}},\"selector\":{\"nodeId\":\"" + nodeId + "\"}}").text("id");

        assertThat(api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id + "/resume", null).status()).isEqualTo(409);
        assertThat(api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id + "/pause", null).text("state"))
                .isEqualTo("PAUSED");
        var aborted = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id + "/abort", null);
        assertThat(aborted.text("state")).isIn("ABORTING", "ABORTED");
        var again = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id + "/pause", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(api().post(OPERATOR_KEY, "/v1/admin/rolling-updates/" + UUID.randomUUID() + "/pause", null)
                .status()).isEqualTo(404);
    }

    // Two control planes tick the same update at once (here: threads, plus this context's own driver): each item is
    // started once, with one task.
    @Test
    void twoDriversSteppingOneUpdateStartEachDatabaseOnce() throws Exception {
        List<String> dbs = databases(6);
        String id = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", "{\"target\":{\"release\":\"" + newRelease
                + "\"},\"selector\":{\"nodeId\":\"" + nodeId + "\"},\"canary\":0,\"maxUnavailable\":6}").text("id");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            runs.add(pool.submit(() -> {
                go.await();
                for (int n = 0; n < 5; n++) {
                    updates.advance(UUID.fromString(id));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : runs) {
            f.get();
        }
        pool.shutdown();

        await().atMost(Duration.ofSeconds(10)).until(() -> openTasks().size() == 6);
        for (String db : dbs) {
            assertThat(jdbc.queryForObject("select count(*) from compute_tasks where database_id = ?::uuid",
                    Long.class, db)).as("tasks of " + db).isEqualTo(1);
        }
    }

    @Test
    void badRollingUpdatesAreProblemsNamingTheField() {
        databases(1);
        assertProblem(body("\"16.4\"", "{\"nodeId\":\"" + nodeId + "\"}", 1), "target.release");
        assertProblem(body("\"15.99999999\"", "{\"nodeId\":\"" + nodeId + "\"}", 1), "target.release");
        assertProblem(body("\"15\"", "{\"nodeId\":\"" + nodeId + "\"}", 1), "target.release");
        assertProblem(body("\"" + newRelease + "\"", "{\"nodeId\":\"" + nodeId + "\"}", 0), "maxUnavailable");
        assertProblem(body("\"" + newRelease + "\"", "{\"all\":true,\"nodeId\":\"" + nodeId + "\"}", 1), "selector");
        assertProblem(body("\"" + newRelease + "\"", "{\"databaseIds\":[\"" + UUID.randomUUID() + "\"]}", 1),
                "selector.databaseIds");
        assertProblem("{\"target\":{\"settings\":{\"shared_buffers\":\"1GB\"}},\"selector\":{\"nodeId\":\"" + nodeId
                + "\"}}", "target.settings.shared_buffers");
        assertProblem("{\"selector\":{\"nodeId\":\"" + nodeId + "\"}}", "target");
        var tenantKey = api().post(tenant.adminKey(), "/v1/admin/rolling-updates", body("\"" + newRelease + "\"",
                "{\"nodeId\":\"" + nodeId + "\"}", 1));
        assertThat(tenantKey.status()).isEqualTo(403);
    }

    // Another major is refused with a word on why (pg_upgrade), not accepted and failed on every compute.
    @Test
    void anotherMajorIsRefusedSayingWhy() {
        databases(1);
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"ru16-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z\",\"capacityCu\":1,\"releases\":[\"16.4\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).isEqualTo(201);

        var r = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", body("\"16.4\"", "{\"nodeId\":\"" + nodeId
                + "\"}", 1));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.at("/errors/0/field").asString()).isEqualTo("target.release");
        assertThat(r.at("/errors/0/reason").asString()).contains("major version change needs pg_upgrade");
    }

    @Test
    void maintenanceWindowsAreTheTenantsOwnAndValidated() {
        String db = databases(1).get(0);
        String path = "/v1/databases/" + db + "/maintenance-window";
        assertThat(api().get(tenant.readKey(), path).status()).isEqualTo(404);

        var put = api().send(tenant.adminKey(), "PUT", path, "{\"dayOfWeek\":\"SUN\",\"start\":\"02:00\","
                + "\"durationMinutes\":120}", Map.of());

        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        assertThat(api().get(tenant.readKey(), path).json().toString())
                .isEqualTo("{\"dayOfWeek\":\"SUN\",\"start\":\"02:00\",\"durationMinutes\":120}");
        var bad = api().send(tenant.adminKey(), "PUT", path, "{\"dayOfWeek\":\"Sunday\",\"start\":\"2am\","
                + "\"durationMinutes\":0}", Map.of());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().get("errors")).extracting(e -> e.get("field").asString())
                .containsExactly("dayOfWeek", "start", "durationMinutes");
        TestTenant other = newTenant();
        assertThat(api().get(other.readKey(), path).status()).isEqualTo(404);
        assertThat(api().send(other.adminKey(), "PUT", path, "{\"dayOfWeek\":\"MON\",\"start\":\"01:00\","
                + "\"durationMinutes\":30}", Map.of()).status()).isEqualTo(404);
        assertThat(api().delete(other.adminKey(), path).status()).isEqualTo(404);
        assertThat(api().send(tenant.readKey(), "PUT", path, "{\"dayOfWeek\":\"MON\",\"start\":\"01:00\","
                + "\"durationMinutes\":30}", Map.of()).status()).isEqualTo(403);
        assertThat(api().delete(tenant.adminKey(), path).status()).isEqualTo(204);
        assertThat(api().get(tenant.readKey(), path).status()).isEqualTo(404);
    }

    // ---- the fake agent ----

    private List<String> databases(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var r = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"db" + i + "\",\"minCu\":0.25,"
                    + "\"maxCu\":1,\"release\":\"" + oldRelease + "\"}");
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            String id = r.at("/database/id").asString();
            running.put(id, oldRelease);
            applied.put(id, 1L);
            ids.add(id);
        }
        status(List.of());
        for (String id : ids) {
            assertThat(api().get(tenant.readKey(), "/v1/databases/" + id).text("state")).isEqualTo("RUNNING");
        }
        return ids;
    }

    /** Reports every database running as {@link #running} says, with these task results. */
    private void status(List<String> tasks) {
        StringBuilder computes = new StringBuilder();
        for (var e : running.entrySet()) {
            if (!computes.isEmpty()) {
                computes.append(',');
            }
            computes.append("{\"computeId\":\"").append(e.getKey()).append("\",\"phase\":\"RUNNING\",\"specVersion\":")
                    .append(applied.get(e.getKey())).append(",\"release\":\"").append(e.getValue())
                    .append("\",\"acceptingLogins\":true,\"restarts\":0,\"appliedCu\":0.25,\"enforcement\":\"none\"}");
        }
        var r = api().post(credential, "/agent/v1/nodes/" + nodeId + "/status", "{\"nodeId\":\"" + nodeId
                + "\",\"observedGeneration\":1,\"capacityCu\":16,\"enforcement\":\"none\",\"computes\":[" + computes
                + "],\"tasks\":[" + String.join(",", tasks) + "]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    /** The agent ran these restart tasks: onto the target, or rolled back. */
    private void report(List<JsonNode> tasks, boolean succeeded) {
        List<String> results = new ArrayList<>();
        for (JsonNode t : tasks) {
            String db = t.get("computeId").asString();
            applied.put(db, t.at("/parameters/specVersion").asLong());
            if (succeeded) {
                running.put(db, t.at("/parameters/release").asString());
                results.add("{\"id\":\"" + t.get("id").asString() + "\",\"state\":\"SUCCEEDED\",\"progress\":100,"
                        + "\"message\":\"ok\",\"result\":{\"release\":\"" + running.get(db) + "\",\"heldMillis\":42},"
                        + "\"updatedAt\":\"" + Instant.now() + "\"}");
            } else {
                results.add("{\"id\":\"" + t.get("id").asString() + "\",\"state\":\"FAILED\",\"progress\":0,"
                        + "\"reasonCode\":\"rolled-back\",\"message\":\"cannot start; running Postgres " + oldRelease
                        + "\",\"updatedAt\":\"" + Instant.now() + "\"}");
            }
        }
        status(results);
    }

    private JsonNode desired() {
        return api().get(credential, "/agent/v1/nodes/" + nodeId + "/desired-state?after=0&waitSeconds=0").json();
    }

    private List<JsonNode> openTasks() {
        List<JsonNode> open = new ArrayList<>();
        desired().get("tasks").forEach(open::add);
        return open;
    }

    private List<JsonNode> awaitOpenTasks(int n) {
        List<List<JsonNode>> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            List<JsonNode> open = openTasks();
            seen.add(open);
            return open.size() == n;
        });
        List<JsonNode> open = seen.get(seen.size() - 1);
        open.forEach(t -> assertThat(t.get("type").asString()).isEqualTo("restart-on-release"));
        return open;
    }

    private JsonNode spec(String db) {
        for (JsonNode c : desired().get("computes")) {
            if (c.get("computeId").asString().equals(db)) {
                return c;
            }
        }
        throw new AssertionError("no spec for " + db);
    }

    private JsonNode awaitState(String id, String state) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            last[0] = api().get(OPERATOR_KEY, "/v1/admin/rolling-updates/" + id).json();
            return state.equals(last[0].get("state").asString());
        });
        return last[0];
    }

    private static String body(String release, String selector, int maxUnavailable) {
        return "{\"target\":{\"release\":" + release + "},\"selector\":" + selector + ",\"maxUnavailable\":"
                + maxUnavailable + "}";
    }

    private void assertProblem(String body, String field) {
        var r = api().post(OPERATOR_KEY, "/v1/admin/rolling-updates", body);
        assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors")).as(r.raw()).extracting(e -> e.get("field").asString()).contains(field);
    }
}
