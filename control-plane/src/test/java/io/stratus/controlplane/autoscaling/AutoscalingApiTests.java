package io.stratus.controlplane.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The control plane's autoscaling loop driven through the agent protocol, with the test playing a node that reports
 * load samples: scale-up at once, capacity caps, idle suspend, and the API around it.
 */
class AutoscalingApiTests extends ControlPlaneTest {

    private String nodeId;
    private String credential;
    private TestTenant tenant;
    private String release;

    @BeforeEach
    void node() {
        // A node of its own per test, with room for exactly 3 CU, so placement and caps are predictable: it alone
        // offers this release.
        release = "17." + (100 + new java.util.Random().nextInt(1_000_000));
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"as-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.8\",\"zone\":\"z\",\"capacityCu\":3,\"releases\":[\"" + release + "\"],"
                + "\"frontDoorPort\":6432}");
        nodeId = reg.text("nodeId");
        credential = reg.text("credential");
        tenant = newTenant();
    }

    /** A database on this test's node, reported running. */
    private String runningDatabase(String name, String extra) {
        var r = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"" + name
                + "\",\"minCu\":0.25,\"maxCu\":2,\"release\":\"" + release + "\"" + extra + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String db = r.at("/database/id").asString();
        status(db, 1, "RUNNING");
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("RUNNING");
        return db;
    }

    private void status(String db, long specVersion, String phase) {
        var r = api().post(credential, "/agent/v1/nodes/" + nodeId + "/status", "{\"nodeId\":\"" + nodeId
                + "\",\"observedGeneration\":1,\"capacityCu\":3,\"enforcement\":\"cgroup-v1\",\"computes\":[{\"computeId\":\""
                + db + "\",\"phase\":\"" + phase + "\",\"specVersion\":" + specVersion
                + ",\"host\":\"127.0.0.8\",\"port\":62000,\"release\":\"17.2\",\"acceptingLogins\":true,\"restarts\":0,"
                + "\"appliedCu\":0.25,\"enforcement\":\"cgroup-v1\"}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    private void sample(String db, String allowedCu, double cores, int connections) {
        sample(db, allowedCu, cores, connections, connections > 0 ? 50 : 0);
    }

    private void sample(String db, String allowedCu, double cores, int connections, double tps) {
        sample(db, allowedCu, cores, 0, connections, tps, 0, 0);
    }

    private void sample(String db, String allowedCu, double cores, double throttled, int connections, double tps,
                        int oomKills) {
        sample(db, allowedCu, cores, throttled, connections, tps, oomKills, 0);
    }

    private void sample(String db, String allowedCu, double cores, double throttled, int connections, double tps,
                        int oomKills, int newSessions) {
        var r = api().post(credential, "/agent/v1/nodes/" + nodeId + "/metrics", "{\"nodeId\":\"" + nodeId
                + "\",\"samples\":[{\"computeId\":\"" + db + "\",\"at\":\"" + Instant.now() + "\",\"allowedCu\":" + allowedCu
                + ",\"cpuUsedCores\":" + cores + ",\"throttledFraction\":" + throttled + ",\"memoryWorkingSetBytes\":100000000,"
                + "\"memoryLimitBytes\":1073741824,\"activeConnections\":" + connections + ",\"transactionsPerSecond\":" + tps
                + ",\"oomKills\":" + oomKills + ",\"newSessions\":" + newSessions + "}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    /** A running database with a 60 s idle timeout whose last activity lies 61 s back: the next idle sample suspends it. */
    private String idlePastItsTimeout(String name) {
        String db = runningDatabase(name, ",\"suspendTimeoutSeconds\":60");
        jdbc.update("update databases set last_active_at = now() - interval '61 seconds' where id = ?::uuid", db);
        return db;
    }

    /** The state of the operation a 202 response started. */
    private String operationState(ApiClient.Response accepted) {
        return api().get(tenant.readKey(), "/v1/operations/" + accepted.at("/operation/id").asString()).text("state");
    }

    private JsonNode spec(String db) {
        var state = api().get(credential, "/agent/v1/nodes/" + nodeId + "/desired-state?after=0&waitSeconds=0").json();
        for (JsonNode c : state.get("computes")) {
            if (c.get("computeId").asString().equals(db)) {
                return c;
            }
        }
        return null;
    }

    @Test
    void scalesUpAtOnceAndExplainsWhy() {
        String db = runningDatabase("busy", "");
        sample(db, "0.25", 0.9, 4);
        var view = api().get(tenant.readKey(), "/v1/databases/" + db);
        // 0.9 cores at 70 % target utilisation: 1.29 CU, rounded up to 1.5
        assertThat(view.json().get("currentCu").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(view.text("enforcement")).isEqualTo("cgroup-v1");
        assertThat(spec(db).get("cu").decimalValue()).isEqualByComparingTo("1.5");
        JsonNode events = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("fromCu").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(events.get(0).get("toCu").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(events.get(0).get("reason").asString()).startsWith("scale up: cpu");
        assertThat(events.get(0).at("/metrics/cpuUsedCores").asDouble()).isEqualTo(0.9);
        var series = api().get(tenant.readKey(), "/v1/databases/" + db + "/metrics");
        assertThat(series.json()).hasSize(1);
        assertThat(series.json().get(0).get("connections").asInt()).isEqualTo(4);
    }

    @Test
    void aProcessKilledForMemoryIsToldAndTakenAsANeedForMore() {
        String db = runningDatabase("oom", "");
        // Killed at the 1 GiB limit of 0.25 CU: its working set afterwards (100 MB) understates what it wanted.
        sample(db, "0.25", 0.05, 0, 1, 10, 1);

        JsonNode events = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json();
        assertThat(events.findValuesAsString("reason")).anySatisfy(r -> assertThat(r).isEqualTo("out of memory: the kernel "
                + "killed 1 Postgres process at the compute's 1 GiB limit (0.25 CU), and Postgres ended every session to recover"));
        // The whole limit as its need: 1 GiB / 4 GiB per CU / 75 % = 0.33 CU, up to 0.5.
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).json().get("currentCu").decimalValue())
                .isEqualByComparingTo("0.5");
        // Both written at the same instant: told in the order they happened, the cause first.
        var reasons = events.findValuesAsString("reason");
        assertThat(reasons.get(reasons.size() - 2)).startsWith("out of memory");
        assertThat(reasons.get(reasons.size() - 1)).startsWith("scale up: memory");
    }

    @Test
    void aComputeHeldAtItsMaxCuWhileItNeedsMoreIsToldOncePerWindow() {
        String db = runningDatabase("capped", "");
        api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, "{\"maxCu\":0.5}", java.util.Map.of());
        sample(db, "0.25", 0.25, 1.0, 2, 100, 0); // throttled throughout at 0.25: up to maxCu 0.5
        // All of 0.5 CU used: 0.5 cores at 70 % need 0.72 CU. (Throttling just after a change is not boosted: it may
        // have happened under the previous CU.)
        sample(db, "0.5", 0.5, 1.0, 2, 100, 0);
        sample(db, "0.5", 0.5, 1.0, 2, 100, 0);

        JsonNode events = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json();
        var held = events.findValuesAsString("reason").stream().filter(r -> r.startsWith("held at maxCu")).toList();
        assertThat(held).containsExactly("held at maxCu: needs 0.72 CU (CPU throttled 100 % of the time); raise maxCu to "
                + "let it grow");
    }

    @Test
    void scaleUpIsCappedByNodeCapacityAndSaysSo() {
        String first = runningDatabase("first", "");
        sample(first, "0.25", 1.3, 1); // wants 2 CU, gets it: 3 CU node
        String second = runningDatabase("second", "");
        sample(second, "0.25", 1.3, 1); // wants 2 CU, node has 0.75 left (3 - 2 - 0.25) -> 1 CU
        var view = api().get(tenant.readKey(), "/v1/databases/" + second).json();
        assertThat(view.get("currentCu").decimalValue()).isEqualByComparingTo("1");
        JsonNode events = api().get(tenant.readKey(), "/v1/databases/" + second + "/scaling-events").json();
        assertThat(events.get(0).get("reason").asString()).contains("capped by node capacity");
    }

    @Test
    void aMinCuTheNodeCannotGuaranteeIsRefusedAndNothingChanges() {
        String first = runningDatabase("guaranteed", "");
        String second = runningDatabase("crowded", "");
        var ok = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + first, "{\"minCu\":2}", java.util.Map.of());
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);

        // 3 CU node: the first holds 2, so the second can be guaranteed 1 at most.
        var refused = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + second, "{\"minCu\":1.5,\"suspendTimeoutSeconds\":60}",
                java.util.Map.of());

        assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("errors").findValuesAsString("field")).containsExactly("minCu");
        assertThat(refused.json().get("detail").asString()).isEqualTo("minCu 1.5 cannot be guaranteed: the database's node has 1 CU free for it");
        var unchanged = api().get(tenant.readKey(), "/v1/databases/" + second).json();
        assertThat(unchanged.get("minCu").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(unchanged.get("suspendTimeoutSeconds").asInt()).isEqualTo(300);
        assertThat(spec(second).get("cu").decimalValue()).isEqualByComparingTo("0.25");
        var fits = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + second, "{\"minCu\":1}", java.util.Map.of());
        assertThat(fits.status()).as(fits.raw()).isEqualTo(200);
    }

    @Test
    void aSuspendedDatabaseKeepsItsMinCuOnTheNodeAndWakesAtIt() {
        String sleeper = runningDatabase("sleeper", "");
        api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + sleeper, "{\"minCu\":1}", java.util.Map.of());
        sample(sleeper, "1", 1.3, 1); // up to 2 CU
        assertThat(spec(sleeper).get("cu").decimalValue()).isEqualByComparingTo("2");
        api().post(tenant.adminKey(), "/v1/databases/" + sleeper + "/suspend", null);
        String busy = runningDatabase("busy_neighbour", "");
        sample(busy, "0.25", 1.3, 1); // wants 2; the sleeper's minCu stays held: 3 - 1 = 2 free

        assertThat(spec(busy).get("cu").decimalValue()).isEqualByComparingTo("2");
        sample(busy, "2", 2.0, 1); // wants more than 2 CU: none left
        assertThat(spec(busy).get("cu").decimalValue()).isEqualByComparingTo("2");

        var resume = api().post(tenant.adminKey(), "/v1/databases/" + sleeper + "/resume", null);
        assertThat(resume.status()).isEqualTo(202);
        // At its minCu, which was kept for it: the node's 3 CU hold both.
        assertThat(spec(sleeper).get("cu").decimalValue()).isEqualByComparingTo("1");
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + sleeper).json().get("currentCu").decimalValue())
                .isEqualByComparingTo("1");
        JsonNode node = api().get(OPERATOR_KEY, "/v1/admin/nodes/" + nodeId).json();
        assertThat(node.get("heldCu").decimalValue()).as("operators see what is held").isEqualByComparingTo("3");
        assertThat(node.get("capacityCu").decimalValue()).isEqualByComparingTo("3");
    }

    @Test
    void placementCountsWhatDatabasesHoldNotTheirMinimum() {
        String grown = runningDatabase("grown", "");
        sample(grown, "0.25", 1.3, 1); // 2 CU of the node's 3
        var fits = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"fits\",\"minCu\":1,\"maxCu\":1,\"release\":\""
                + release + "\"}");
        assertThat(fits.at("/database/node").isNull()).as(fits.raw()).isFalse();

        var waits = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"waits\",\"minCu\":0.5,\"maxCu\":1,\"release\":\""
                + release + "\"}");

        assertThat(waits.status()).isEqualTo(202);
        JsonNode view = api().get(tenant.readKey(), "/v1/databases/" + waits.at("/database/id").asString()).json();
        assertThat(view.get("state").asString()).isEqualTo("PROVISIONING");
        assertThat(view.get("node").isNull()).isTrue();
        assertThat(view.get("currentCu").decimalValue()).as("nothing granted before it has a node").isEqualByComparingTo("0");
        assertThat(view.get("message").asString()).isEqualTo("waiting for a node with 0.5 CU free that runs Postgres " + release);
    }

    @Autowired
    private io.stratus.controlplane.databases.DatabaseProvisioning provisioning;

    @Test
    void aWaitingDatabaseWhoseMinCuWasLoweredIsPlacedAtTheNewMinCu() {
        String grown = runningDatabase("grown_first", "");
        sample(grown, "0.25", 1.3, 1); // 2 of the node's 3 CU
        var big = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"big\",\"minCu\":2,\"maxCu\":2,\"release\":\""
                + release + "\"}");
        String id = big.at("/database/id").asString();
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + id).json().get("node").isNull()).isTrue();

        api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + id, "{\"minCu\":0.25}", java.util.Map.of());
        provisioning.placePending();

        assertThat(spec(id).get("cu").decimalValue()).as("placed at what was found room for").isEqualByComparingTo("0.25");
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/nodes/" + nodeId).json().get("heldCu").decimalValue())
                .isEqualByComparingTo("2.25");
    }

    @Test
    void createsAtOnceTakeOnlyTheRoomTheNodeHas() throws Exception {
        String grown = runningDatabase("grown_again", "");
        sample(grown, "0.25", 1.3, 1); // 2 of 3 CU held: room for four 0.25 CU databases
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var creates = new java.util.ArrayList<java.util.concurrent.Future<ApiClient.Response>>();
            for (int i = 0; i < 8; i++) {
                String body = "{\"name\":\"rush" + i + "\",\"minCu\":0.25,\"maxCu\":0.25,\"release\":\"" + release + "\"}";
                creates.add(pool.submit(() -> api().post(tenant.adminKey(), "/v1/databases", body)));
            }
            for (var f : creates) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(202);
            }
        } finally {
            pool.shutdown();
        }
        provisioning.placePending();

        assertThat(api().get(OPERATOR_KEY, "/v1/admin/nodes/" + nodeId).json().get("heldCu").decimalValue())
                .isEqualByComparingTo("3");
        assertThat(jdbc.queryForObject("select count(*) from databases where node_id = ?::uuid", Long.class, nodeId))
                .as("the grown database and four of the eight").isEqualTo(5);
    }

    @Test
    void idleDatabaseSuspendsAfterItsTimeoutAndResumesOnRequest() {
        String db = runningDatabase("sleepy", ",\"suspendTimeoutSeconds\":60");
        sample(db, "0.25", 0.01, 0);
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("RUNNING");
        // No connection for longer than the timeout (the clock is not ours to move: move the activity instead).
        jdbc.update("update databases set last_active_at = now() - interval '61 seconds' where id = ?::uuid", db);
        sample(db, "0.25", 0.01, 0);
        assertThat(spec(db).get("running").asBoolean()).isFalse();
        long stopSpec = spec(db).get("specVersion").asLong();
        status(db, stopSpec, "STOPPED");
        var view = api().get(tenant.readKey(), "/v1/databases/" + db).json();
        assertThat(view.get("state").asString()).isEqualTo("SUSPENDED");
        assertThat(view.get("currentCu").decimalValue()).isEqualByComparingTo("0");
        JsonNode events = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json();
        assertThat(events.get(events.size() - 1).get("reason").asString()).isEqualTo("suspended: no connections for 60s");

        var resume = api().post(tenant.adminKey(), "/v1/databases/" + db + "/resume", null);
        assertThat(resume.status()).isEqualTo(202);
        assertThat(spec(db).get("running").asBoolean()).isTrue();
        status(db, spec(db).get("specVersion").asLong(), "RUNNING");
        assertThat(operationState(resume)).isEqualTo("SUCCEEDED");
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("RUNNING");
    }

    @Test
    void clientsTooQuickForTheConnectionSnapshotKeepTheDatabaseAwakeByTheirSessions() {
        String db = idlePastItsTimeout("quick_clients");

        // No connection in the second's snapshot, but a client session started and ended in it: psql -c.
        sample(db, "0.25", 0.01, 0, 0, 0.5, 0, 1);

        assertThat(spec(db).get("running").asBoolean()).isTrue();
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("RUNNING");
    }

    @Test
    void autovacuumsTransactionsDoNotKeepAnIdleDatabaseAwake() {
        String db = idlePastItsTimeout("vacuumed");

        // Transactions without a client session: autovacuum's visit, once a naptime, in a database used before.
        sample(db, "0.25", 0.01, 0, 0, 0.2, 0, 0);

        assertThat(spec(db).get("running").asBoolean()).as("suspended").isFalse();
    }

    @Test
    void reportsOfOlderAndNewerAgentsAreReadDuringARollingUpgrade() {
        // An agent from before oomKills and newSessions: its report is read, and a client it saw only by its
        // transactions keeps the database awake as it did then.
        String db = idlePastItsTimeout("older_agent");
        var older = api().post(credential, "/agent/v1/nodes/" + nodeId + "/metrics", "{\"nodeId\":\"" + nodeId
                + "\",\"samples\":[{\"computeId\":\"" + db + "\",\"at\":\"" + Instant.now() + "\",\"allowedCu\":0.25,"
                + "\"cpuUsedCores\":0.01,\"throttledFraction\":0,\"memoryWorkingSetBytes\":100000000,"
                + "\"memoryLimitBytes\":1073741824,\"activeConnections\":0,\"transactionsPerSecond\":0.5}]}");
        assertThat(older.status()).as(older.raw()).isEqualTo(204);
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db + "/metrics").json()).isNotEmpty();
        assertThat(spec(db).get("running").asBoolean()).isTrue();

        // A newer agent's field this control plane does not know is ignored, not a refused report.
        var newer = api().post(credential, "/agent/v1/nodes/" + nodeId + "/metrics", "{\"nodeId\":\"" + nodeId
                + "\",\"samples\":[{\"computeId\":\"" + db + "\",\"at\":\"" + Instant.now() + "\",\"allowedCu\":0.25,"
                + "\"cpuUsedCores\":0.9,\"throttledFraction\":0,\"memoryWorkingSetBytes\":100000000,"
                + "\"memoryLimitBytes\":1073741824,\"activeConnections\":1,\"transactionsPerSecond\":5,\"oomKills\":0,"
                + "\"newSessions\":0,\"ioWaitFraction\":0.3}], \"agentBuild\":\"future\"}");
        assertThat(newer.status()).as(newer.raw()).isEqualTo(204);
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).json().get("currentCu").decimalValue())
                .isEqualByComparingTo("1.5");

        // The public API stays strict.
        var strict = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, "{\"maxCu\":2,\"colour\":\"blue\"}",
                java.util.Map.of());
        assertThat(strict.status()).as(strict.raw()).isEqualTo(400);
    }

    @Test
    void zeroTimeoutNeverSuspends() {
        String db = runningDatabase("insomniac", ",\"suspendTimeoutSeconds\":0");
        jdbc.update("update databases set last_active_at = now() - interval '1 day' where id = ?::uuid", db);
        sample(db, "0.25", 0.0, 0);
        assertThat(spec(db).get("running").asBoolean()).isTrue();
    }

    @Test
    void patchChangesTheRangeAndClampsCurrentCu() {
        String db = runningDatabase("ranged", "");
        var r = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, "{\"minCu\":1,\"maxCu\":1.5}", java.util.Map.of());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("currentCu").decimalValue()).isEqualByComparingTo("1");
        assertThat(spec(db).get("cu").decimalValue()).isEqualByComparingTo("1");
        assertThat(spec(db).get("minCu").decimalValue()).isEqualByComparingTo("1");
    }

    @Test
    void badPatchIsAProblemAndChangesNothing() {
        String db = runningDatabase("strict", "");
        String[][] bad = {
                {"{\"minCu\":0.3}", "minCu"}, {"{\"maxCu\":9}", "maxCu"}, {"{\"minCu\":2,\"maxCu\":1}", "minCu"},
                {"{\"minCu\":3}", "minCu"}, {"{\"suspendTimeoutSeconds\":5}", "suspendTimeoutSeconds"},
                {"{\"maxCu\":\"big\"}", "maxCu"}, {"{\"cu\":1}", "cu"}, {"{}", "body"}};
        long spec = spec(db).get("specVersion").asLong();
        for (String[] b : bad) {
            var r = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, b[0], java.util.Map.of());
            assertThat(r.status()).as(b[0] + " " + r.raw()).isEqualTo(400);
            assertThat(r.json().get("errors").findValuesAsString("field")).as(b[0]).contains(b[1]);
        }
        var view = api().get(tenant.readKey(), "/v1/databases/" + db).json();
        assertThat(view.get("minCu").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(view.get("maxCu").decimalValue()).isEqualByComparingTo("2");
        assertThat(view.get("suspendTimeoutSeconds").asInt()).isEqualTo(300);
        assertThat(spec(db).get("specVersion").asLong()).isEqualTo(spec);
    }

    @Test
    void concurrentChangesToOneDatabaseAreAllKeptWhileItsNodeReports() throws Exception {
        String db = runningDatabase("contended", "");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 8; round++) {
                String min = round % 2 == 0 ? "0.5" : "0.25";
                int timeout = 60 + round;
                var go = new java.util.concurrent.CountDownLatch(1);
                var range = pool.submit(() -> {
                    go.await();
                    return api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, "{\"minCu\":" + min + "}",
                            java.util.Map.of()).status();
                });
                var idle = pool.submit(() -> {
                    go.await();
                    return api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db,
                            "{\"suspendTimeoutSeconds\":" + timeout + "}", java.util.Map.of()).status();
                });
                // The node reports at the same time: its status and a sample write the same row.
                var report = pool.submit(() -> {
                    go.await();
                    status(db, 1, "RUNNING");
                    return 204;
                });
                var metrics = pool.submit(() -> {
                    go.await();
                    sample(db, "0.25", 0.01, 1);
                    return 204;
                });
                go.countDown();
                assertThat(range.get()).isEqualTo(200);
                assertThat(idle.get()).isEqualTo(200);
                assertThat(report.get()).isEqualTo(204);
                assertThat(metrics.get()).isEqualTo(204);
                JsonNode view = api().get(tenant.readKey(), "/v1/databases/" + db).json();
                assertThat(view.get("minCu").decimalValue()).as("round %d", round).isEqualByComparingTo(min);
                assertThat(view.get("suspendTimeoutSeconds").asInt()).as("round %d", round).isEqualTo(timeout);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDatabaseSuspendedWhileBeingCreatedIsCreatedOnceItsComputeIsStopped() {
        var created = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"early_nap\",\"minCu\":0.25,"
                + "\"maxCu\":2,\"release\":\"" + release + "\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        assertThat(created.at("/database/enforcement").isNull()).as("not known before the agent reports").isTrue();
        String db = created.at("/database/id").asString();
        var suspend = api().post(tenant.adminKey(), "/v1/databases/" + db + "/suspend", null);
        assertThat(suspend.status()).isEqualTo(202);
        assertThat(spec(db).get("running").asBoolean()).isFalse();

        status(db, spec(db).get("specVersion").asLong(), "STOPPED");

        assertThat(operationState(created)).isEqualTo("SUCCEEDED");
        assertThat(operationState(suspend)).isEqualTo("SUCCEEDED");
        JsonNode view = api().get(tenant.readKey(), "/v1/databases/" + db).json();
        assertThat(view.get("state").asString()).isEqualTo("SUSPENDED");
        assertThat(view.get("enforcement").asString()).isEqualTo("cgroup-v1");
    }

    @Test
    void rangeEventsTellRealRangeChangesOnlyAndNoCuWhileSuspended() {
        String db = runningDatabase("ranged_asleep", "");
        int before = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json().size();
        api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, "{\"suspendTimeoutSeconds\":120}", java.util.Map.of());
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json().size())
                .as("an idle timeout is not a capacity change").isEqualTo(before);
        api().post(tenant.adminKey(), "/v1/databases/" + db + "/suspend", null);

        var r = api().send(tenant.adminKey(), "PATCH", "/v1/databases/" + db, "{\"minCu\":1,\"maxCu\":1}", java.util.Map.of());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("currentCu").decimalValue()).isEqualByComparingTo("0");
        JsonNode events = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events").json();
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("fromCu").decimalValue()).isEqualByComparingTo("0");
        assertThat(last.get("toCu").decimalValue()).isEqualByComparingTo("0");
        assertThat(last.get("reason").asString()).isEqualTo("range changed to [1, 1] CU by the API (suspended: applies on resume)");
    }

    @Test
    void aDatabaseBeingDeletedHoldsItsCuUntilItsComputeIsGone() {
        String db = runningDatabase("gone", "");
        api().delete(tenant.adminKey(), "/v1/databases/" + db);
        // Deleting, its compute still runs on the node until the agent has stopped it.
        BigDecimal whileDeleting = api().get(OPERATOR_KEY, "/v1/admin/nodes/" + nodeId).json().get("heldCu").decimalValue();
        var r = api().post(credential, "/agent/v1/nodes/" + nodeId + "/status", "{\"nodeId\":\"" + nodeId
                + "\",\"observedGeneration\":1000000,\"reconciledGeneration\":1000000,\"capacityCu\":3,"
                + "\"enforcement\":\"cgroup-v1\",\"computes\":[]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);

        JsonNode view = api().get(tenant.readKey(), "/v1/databases/" + db).json();
        assertThat(view.get("state").asString()).isEqualTo("DELETED");
        assertThat(view.get("currentCu").decimalValue()).isEqualByComparingTo("0");
        BigDecimal afterwards = api().get(OPERATOR_KEY, "/v1/admin/nodes/" + nodeId).json().get("heldCu").decimalValue();
        assertThat(whileDeleting.subtract(afterwards)).isEqualByComparingTo("0.25");
    }

    @Test
    void metricsRangeIsValidated() {
        String db = runningDatabase("charted", "");
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db + "/metrics?from=yesterday").status()).isEqualTo(400);
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db + "/metrics?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                .status()).isEqualTo(400);
    }

    @Test
    void theNewestEventsAreShownWhenTheHistoryIsLongerThanTheLimit() {
        String db = runningDatabase("chatty", "");
        // Later than the events the database's creation wrote, so these 30 are its newest.
        Instant t0 = Instant.parse("2099-01-01T00:00:00Z");
        for (int i = 0; i < 30; i++) {
            jdbc.update("insert into scaling_events (id, database_id, tenant_id, at, from_cu, to_cu, reason) "
                    + "select gen_random_uuid(), id, tenant_id, ?, 0.25, 0.5, ? from databases where id = ?::uuid",
                    java.sql.Timestamp.from(t0.plusSeconds(i)), "event " + i, db);
        }
        JsonNode last5 = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events?limit=5").json();
        assertThat(last5.findValuesAsString("reason")).containsExactly("event 25", "event 26", "event 27", "event 28", "event 29");

        JsonNode window = api().get(tenant.readKey(), "/v1/databases/" + db
                + "/scaling-events?from=2099-01-01T00:00:10Z&to=2099-01-01T00:00:13Z").json();
        assertThat(window.findValuesAsString("reason")).containsExactly("event 10", "event 11", "event 12");
        var bad = api().get(tenant.readKey(), "/v1/databases/" + db + "/scaling-events?from=soon&limit=0");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("from", "limit");
    }

    @Test
    void aLongMetricsRangeIsAveragedIntoBucketsNotCutShort() {
        String db = runningDatabase("day_long", "");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        // A day of one sample per second: 86 400 points, more than one response holds.
        jdbc.update("insert into compute_samples (database_id, at, cu, cpu_cores, throttled_fraction, memory_bytes, "
                + "memory_limit_bytes, connections, tps) select ?::uuid, ?::timestamptz + s * interval '1 second', "
                + "case when s >= 86000 then 2 else 0.25 end, case when s >= 86000 then 1.2 else 0.1 end, 0, "
                + "1000 + s, 4294967296, case when s = 86399 then 9 else 1 end, 10 from generate_series(0, 86399) s",
                db, java.sql.Timestamp.from(t0));

        JsonNode day = api().get(tenant.readKey(), "/v1/databases/" + db
                + "/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z").json();

        // ceil(86400 / 10000) = 9 s per point: 9600 points, the whole day.
        assertThat(day).hasSize(9600);
        assertThat(day.get(0).get("at").asString()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(day.get(9599).get("at").asString()).isEqualTo("2026-01-01T23:59:51Z");
        assertThat(day.get(9599).get("cu").decimalValue()).as("the last minutes' scale-up is there").isEqualByComparingTo("2");
        assertThat(day.get(9599).get("connections").asInt()).as("peaks kept").isEqualTo(9);
        assertThat(day.get(9599).get("memoryBytes").asLong()).isEqualTo(1000 + 86399);
        assertThat(day.get(0).get("cpuCores").asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));

        JsonNode hour = api().get(tenant.readKey(), "/v1/databases/" + db
                + "/metrics?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z").json();
        assertThat(hour).as("a short range is every sample").hasSize(3600);
    }

    @Test
    void aNodeCannotReportOnAnotherNodesDatabases() {
        String db = runningDatabase("foreign", "");
        var other = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", ApiClient.json("name", "intruder-" + UUID.randomUUID(),
                "address", "127.0.0.7", "zone", "z", "capacityCu", 1, "frontDoorPort", 6432));
        String otherId = other.text("nodeId");
        api().post(other.text("credential"), "/agent/v1/nodes/" + otherId + "/metrics", "{\"nodeId\":\"" + otherId
                + "\",\"samples\":[{\"computeId\":\"" + db + "\",\"at\":\"" + Instant.now() + "\",\"allowedCu\":0.25,"
                + "\"cpuUsedCores\":4,\"throttledFraction\":0,\"memoryWorkingSetBytes\":1,\"memoryLimitBytes\":1,"
                + "\"activeConnections\":1,\"transactionsPerSecond\":1}]}");
        assertThat(api().get(tenant.readKey(), "/v1/databases/" + db).json().get("currentCu").decimalValue())
                .isEqualByComparingTo("0.25");
    }
}
