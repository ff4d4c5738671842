package io.stratus.controlplane.agentapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The control plane's side of the agent protocol, with the test playing the agent: operations complete only on
 * observed state, long-polls wake on change, deletions complete when the compute is gone at the right generation.
 */
class AgentProtocolTests extends ControlPlaneTest {

    private static final Random RANDOM = new Random();
    private static String nodeId;
    private static String credential;

    @BeforeEach
    void registerNode() {
        if (nodeId != null) {
            return;
        }
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"proto-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":1000,\"releases\":[\"15.18\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        nodeId = reg.text("nodeId");
        credential = reg.text("credential");
        assertThat(credential).startsWith("snc_");
    }

    private JsonNode desired(long after, int wait) {
        var r = api().get(credential, "/agent/v1/nodes/" + nodeId + "/desired-state?after=" + after + "&waitSeconds=" + wait);
        return r.status() == 204 ? null : r.json();
    }

    private void report(long generation, String computes) {
        report(generation, generation, computes);
    }

    /** A status whose pass ran through {@code reconciled} but fully applied only {@code observed}. */
    private void report(long observed, long reconciled, String computes) {
        var r = api().post(credential, "/agent/v1/nodes/" + nodeId + "/status", "{\"nodeId\":\"" + nodeId
                + "\",\"observedGeneration\":" + observed + ",\"reconciledGeneration\":" + reconciled
                + ",\"observedAt\":\"2026-01-01T00:00:00Z\",\"capacityCu\":1000,"
                + "\"enforcement\":\"none\",\"computes\":[" + computes + "]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    private static String compute(String id, String phase, long specVersion, boolean accepting) {
        return "{\"computeId\":\"" + id + "\",\"phase\":\"" + phase + "\",\"specVersion\":" + specVersion
                + ",\"release\":\"15.18\",\"acceptingLogins\":" + accepting
                + ",\"restarts\":0,\"message\":null}";
    }

    /** A node of one test's own, offering a release no other test asks for: nothing else is ever placed on it. */
    private record OwnNode(String id, String credential, String release) {
    }

    private JsonNode desired(OwnNode node, long after, int wait) {
        var r = api().get(node.credential(), "/agent/v1/nodes/" + node.id() + "/desired-state?after=" + after
                + "&waitSeconds=" + wait);
        return r.status() == 204 ? null : r.json();
    }

    private OwnNode ownNode() {
        String release = "16." + (100 + RANDOM.nextInt(1_000_000));
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"own-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":10,\"releases\":[\"" + release + "\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        return new OwnNode(reg.text("nodeId"), reg.text("credential"), release);
    }

    @Test
    void aDatabaseWhoseAgentFellSilentSaysItsStateIsOnlyTheLastObserved() {
        OwnNode node = ownNode();
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "silent", "minCu", 0.25,
                "maxCu", 2, "release", node.release()));
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String db = created.at("/database/id").asString();
        long generation = desired(node, 0, 0).get("generation").asLong();
        report(node, generation, compute(db, "RUNNING", 1, true));

        var reporting = api().get(t.readKey(), "/v1/databases/" + db);
        assertThat(reporting.text("state")).isEqualTo("RUNNING");
        assertThat(reporting.text("message")).isNull();
        Instant observedAt = Instant.parse(reporting.text("observedAt"));
        assertThat(observedAt).isCloseTo(Instant.now(), within(30, ChronoUnit.SECONDS));

        // The agent missed its heartbeats for longer than the timeout (a kill -9 of the agent; its computes run on).
        // The node is left READY, as a cordoned or draining node would stay: the heartbeat's age is what counts.
        Instant silentSince = observedAt.minus(Duration.ofMinutes(5));
        jdbc.update("update nodes set last_heartbeat_at = ? where id = ?::uuid", Timestamp.from(silentSince), node.id());
        var silent = api().get(t.readKey(), "/v1/databases/" + db);
        assertThat(silent.text("state")).as("not claimed down: the compute outlives its agent").isEqualTo("RUNNING");
        assertThat(silent.text("message")).isEqualTo("the agent on its host has not reported since " + silentSince
                + ": the state shown is the last one observed");
        assertThat(Instant.parse(silent.text("observedAt"))).isEqualTo(silentSince);
        assertThat(api().get(t.readKey(), "/v1/databases").json().get("items").get(0).get("message").asString())
                .startsWith("the agent on its host has not reported since");

        // The agent is back: so is the plain view.
        report(node, generation, compute(db, "RUNNING", 1, true));
        var back = api().get(t.readKey(), "/v1/databases/" + db);
        assertThat(back.text("message")).isNull();
        assertThat(Instant.parse(back.text("observedAt"))).isAfter(silentSince);
    }

    private void report(OwnNode node, long generation, String computes) {
        report(node, generation, computes, "");
    }

    private void report(OwnNode node, long generation, String computes, String tasks) {
        var r = api().post(node.credential(), "/agent/v1/nodes/" + node.id() + "/status", "{\"nodeId\":\"" + node.id()
                + "\",\"observedGeneration\":" + generation + ",\"reconciledGeneration\":" + generation
                + ",\"observedAt\":\"2026-01-01T00:00:00Z\",\"capacityCu\":10,\"enforcement\":\"none\",\"computes\":["
                + computes + "],\"tasks\":[" + tasks + "]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    private static String task(String id, String state, int progress, String reasonCode, String result) {
        return "{\"id\":\"" + id + "\",\"state\":\"" + state + "\",\"progress\":" + progress + ",\"reasonCode\":"
                + (reasonCode == null ? "null" : "\"" + reasonCode + "\"") + ",\"message\":\"m\",\"result\":" + result
                + ",\"updatedAt\":\"2026-01-01T00:00:00Z\"}";
    }

    // The task channel's control-plane half: a task rides every desired state of its node while open; only its own
    // node can report it; the first final report settles its operation, once; then it leaves the desired state.
    @Test
    void aTaskTravelsWithItsNodesDesiredStateUntilThatNodeReportsItDoneOnce() {
        OwnNode node = ownNode();
        OwnNode stranger = ownNode();
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "tasked", "minCu", 0.25,
                "maxCu", 2, "release", node.release()));
        String db = created.at("/database/id").asString();
        long generation = desired(node, 0, 0).get("generation").asLong();
        report(node, generation, compute(db, "RUNNING", 1, true));

        var queued = api().post(OPERATOR_KEY, "/v1/admin/databases/" + db + "/checkpoint", null);
        assertThat(queued.status()).as(queued.raw()).isEqualTo(202);
        String taskId = queued.at("/task/id").asString();
        String operation = queued.at("/operation/id").asString();
        assertThat(api().post(t.adminKey(), "/v1/admin/databases/" + db + "/checkpoint", null).status())
                .as("a tenant key cannot queue tasks").isEqualTo(403);

        JsonNode withTask = desired(node, generation, 5);
        assertThat(withTask.get("generation").asLong()).isGreaterThan(generation);
        assertThat(withTask.get("tasks")).hasSize(1);
        assertThat(withTask.at("/tasks/0/id").asString()).isEqualTo(taskId);
        assertThat(withTask.at("/tasks/0/type").asString()).isEqualTo("checkpoint");
        assertThat(withTask.at("/tasks/0/computeId").asString()).isEqualTo(db);
        assertThat(Instant.parse(withTask.at("/tasks/0/deadline").asString())).isAfter(Instant.now());
        assertThat(desired(stranger, 0, 0).get("tasks")).as("not another node's").isEmpty();

        // Another node reporting this task's id changes nothing.
        report(stranger, 1, "", task(taskId, "FAILED", 0, "error", "{}"));
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/tasks/" + taskId).text("state")).isEqualTo("PENDING");

        report(node, generation, compute(db, "RUNNING", 1, true), task(taskId, "RUNNING", 40, null, "{}"));
        var running = api().get(OPERATOR_KEY, "/v1/admin/tasks/" + taskId);
        assertThat(running.text("state")).isEqualTo("RUNNING");
        assertThat(running.json().get("progress").asInt()).isEqualTo(40);
        // Heartbeats repeat a running task: an unchanged one is not written again.
        report(node, generation, compute(db, "RUNNING", 1, true), task(taskId, "RUNNING", 40, null, "{}"));
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/tasks/" + taskId).text("updatedAt"))
                .isEqualTo(running.text("updatedAt"));

        report(node, generation, compute(db, "RUNNING", 1, true),
                task(taskId, "SUCCEEDED", 100, null, "{\"checkpointLsn\":\"0/3000060\"}"));
        report(node, generation, compute(db, "RUNNING", 1, true), task(taskId, "FAILED", 0, "error", "{}"));

        var done = api().get(OPERATOR_KEY, "/v1/admin/tasks/" + taskId);
        assertThat(done.text("state")).as("the first final report is the one kept").isEqualTo("SUCCEEDED");
        assertThat(done.at("/result/checkpointLsn").asString()).isEqualTo("0/3000060");
        assertThat(done.text("finishedAt")).isNotNull();
        var op = api().get(t.adminKey(), "/v1/operations/" + operation);
        assertThat(op.text("type")).isEqualTo("CHECKPOINT");
        assertThat(op.text("state")).isEqualTo("SUCCEEDED");
        JsonNode after = desired(node, withTask.get("generation").asLong(), 5);
        assertThat(after).as("closing the task changed the node's desired state").isNotNull();
        assertThat(after.get("tasks")).isEmpty();
    }

    // A node's reports name that node and carry their list: another node's id, or an empty object, is refused whole.
    @Test
    void aReportForAnotherNodeOrWithoutItsListIsRefused() {
        OwnNode node = ownNode();
        OwnNode other = ownNode();
        String metrics = "/agent/v1/nodes/" + node.id() + "/metrics";
        var empty = api().post(node.credential(), metrics, "{}");
        assertThat(empty.status()).as(empty.raw()).isEqualTo(400);
        assertThat(empty.json().get("errors").findValuesAsString("field")).containsExactly("nodeId", "samples");
        var mismatched = api().post(node.credential(), metrics, "{\"nodeId\":\"" + other.id() + "\",\"samples\":[]}");
        assertThat(mismatched.status()).isEqualTo(400);
        assertThat(mismatched.json().get("errors").findValuesAsString("field")).containsExactly("nodeId");
        assertThat(api().post(node.credential(), metrics, "{\"nodeId\":\"" + node.id() + "\",\"samples\":[]}").status())
                .isEqualTo(204);

        var status = api().post(node.credential(), "/agent/v1/nodes/" + node.id() + "/status", "{\"nodeId\":\""
                + other.id() + "\",\"observedGeneration\":0,\"observedAt\":\"2026-01-01T00:00:00Z\",\"capacityCu\":10,"
                + "\"enforcement\":\"none\",\"computes\":[]}");
        assertThat(status.status()).as(status.raw()).isEqualTo(400);
        assertThat(status.contentType()).contains("application/problem+json");
    }

    @Test
    void longPollWakesOnChangeWithTheNewCompute() throws Exception {
        OwnNode node = ownNode();
        long generation = desired(node, 0, 0).get("generation").asLong();
        CompletableFuture<JsonNode> poll = CompletableFuture.supplyAsync(() -> desired(node, generation, 30));
        Thread.sleep(300);
        assertThat(poll).isNotDone();
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "woken", "minCu", 0.25,
                "maxCu", 2, "release", node.release()));
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String db = created.at("/database/id").asString();

        JsonNode state = poll.get(10, TimeUnit.SECONDS);

        assertThat(state).as("the long-poll answered because of the change, not the timeout").isNotNull();
        assertThat(state.get("generation").asLong()).isGreaterThan(generation);
        assertThat(state.get("computes").findValuesAsString("computeId")).containsExactly(db);
    }

    @Test
    void aRoleTravelsInItsDatabasesSpecAsAVerifierAndItsOperationEndsWhenTheAgentAppliedIt() {
        OwnNode node = ownNode();
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "shared", "minCu", 0.25,
                "maxCu", 2, "release", node.release()));
        String db = created.at("/database/id").asString();
        long generation = desired(node, 0, 0).get("generation").asLong();
        report(node, generation, compute(db, "RUNNING", 1, true));

        var role = api().post(t.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "reporting",
                "readOnly", true));

        // Nobody applies it here: the answer comes after the bounded wait, the operation still running.
        assertThat(role.status()).as(role.raw()).isEqualTo(201);
        assertThat(role.at("/operation/type").asString()).isEqualTo("CREATE_ROLE");
        assertThat(role.at("/operation/state").asString()).isEqualTo("RUNNING");
        String password = role.at("/password").asString();
        assertThat(role.at("/role/connection/uri").asString()).startsWith("postgresql://reporting:" + password + "@")
                .endsWith("/shared." + created.at("/connection/endpoint").asString());
        JsonNode spec = desired(node, generation, 5).get("computes").get(0);
        assertThat(spec.get("specVersion").asLong()).isEqualTo(2);
        assertThat(spec.get("roles").get(0).get("name").asString()).isEqualTo("reporting");
        assertThat(spec.get("roles").get(0).get("readOnly").asBoolean()).isTrue();
        assertThat(spec.get("roles").get(0).get("verifier").asString()).startsWith("SCRAM-SHA-256$4096:");
        assertThat(spec.toString()).doesNotContain(password);
        assertThat(jdbc.queryForList("select * from database_roles").toString()).doesNotContain(password);
        var listed = api().get(t.readKey(), "/v1/databases/" + db + "/roles");
        assertThat(listed.json().get(0).get("name").asString()).isEqualTo("reporting");
        assertThat(listed.raw()).doesNotContain(password).doesNotContain("SCRAM");

        report(node, generation + 1, compute(db, "RUNNING", 2, true));
        assertThat(api().get(t.readKey(), "/v1/operations/" + role.at("/operation/id").asString()).text("state"))
                .isEqualTo("SUCCEEDED");

        var removed = api().delete(t.adminKey(), "/v1/databases/" + db + "/roles/reporting");
        assertThat(removed.status()).as(removed.raw()).isEqualTo(202);
        assertThat(removed.at("/operation/type").asString()).isEqualTo("DELETE_ROLE");
        assertThat(desired(node, generation + 1, 5).get("computes").get(0).get("roles")).isEmpty();
        assertThat(api().delete(t.adminKey(), "/v1/databases/" + db + "/roles/reporting").status()).isEqualTo(404);
    }

    @Test
    void aFrontDoorFindsAnEndpointsDatabaseAndItsNodeAndWakesItOnce() {
        OwnNode node = ownNode();
        OwnNode other = ownNode();
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "routed", "minCu", 0.25,
                "maxCu", 2, "release", node.release()));
        String db = created.at("/database/id").asString();
        String endpoint = created.at("/connection/endpoint").asString();
        long generation = desired(node, 0, 0).get("generation").asLong();
        report(node, generation, compute(db, "RUNNING", 1, true));

        // Any node's front door may ask: it relays to the node that holds the compute.
        var route = api().get(other.credential(), "/agent/v1/nodes/" + other.id() + "/routes/" + endpoint);
        assertThat(route.status()).as(route.raw()).isEqualTo(200);
        assertThat(route.text("databaseId")).isEqualTo(db);
        assertThat(route.text("databaseName")).isEqualTo("routed");
        assertThat(route.text("state")).isEqualTo("RUNNING");
        assertThat(route.text("nodeId")).isEqualTo(node.id());
        assertThat(route.text("nodeAddress")).isEqualTo("127.0.0.9");
        assertThat(route.json().get("nodePort").asInt()).isEqualTo(6432);
        assertThat(api().get(other.credential(), "/agent/v1/nodes/" + other.id() + "/routes/nosuchendpoint").status())
                .isEqualTo(404);
        assertThat(api().get(t.adminKey(), "/agent/v1/nodes/" + other.id() + "/routes/" + endpoint).status())
                .as("a tenant key is no node credential").isEqualTo(401);

        assertThat(api().post(t.adminKey(), "/v1/databases/" + db + "/suspend", null).status()).isEqualTo(202);
        long suspended = desired(node, generation, 5).get("generation").asLong();
        report(node, suspended, "{\"computeId\":\"" + db + "\",\"phase\":\"STOPPED\",\"specVersion\":2,"
                + "\"release\":\"15.18\",\"acceptingLogins\":false,\"restarts\":0,\"message\":null}");
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("SUSPENDED");

        for (int i = 0; i < 3; i++) {
            var woken = api().post(node.credential(), "/agent/v1/nodes/" + node.id() + "/routes/" + endpoint + "/wake",
                    null);
            assertThat(woken.status()).as(woken.raw()).isEqualTo(200);
            assertThat(woken.json().get("running").asBoolean()).isTrue();
        }
        assertThat(jdbc.queryForObject("select count(*) from operations where database_id = ?::uuid and type ="
                + " 'RESUME_DATABASE'", Integer.class, db)).as("three waiting connections, one resume").isEqualTo(1);
        var events = api().get(t.readKey(), "/v1/databases/" + db + "/scaling-events");
        assertThat(events.raw()).contains("resumed by a connection");
        assertThat(desired(node, suspended, 5).get("computes").get(0).get("running").asBoolean()).isTrue();
    }

    @Test
    void longPollWithNothingNewAnswersNoContent() {
        OwnNode node = ownNode();
        long generation = desired(node, 0, 0).get("generation").asLong();
        assertThat(desired(node, generation, 1)).isNull();
    }

    @Test
    void creationSucceedsOnlyWhenTheAgentObservesTheOwnerLoginAccepted() {
        TestTenant t = newTenant();
        var created = createDatabase(t, "observed");
        String db = created.at("/database/id").asString();
        String op = created.at("/operation/id").asString();
        String endpoint = created.at("/connection/endpoint").asString();
        assertThat(endpoint).as("known before any node took the database").matches("[a-z][a-z0-9]{11}");
        assertThat(created.at("/connection/uri").asString()).as("the front door's address, never the compute's")
                .isEqualTo("postgresql://observed_owner:" + created.at("/connection/password").asString()
                        + "@127.0.0.1:6432/observed." + endpoint);
        long generation = desired(0, 0).get("generation").asLong();

        report(generation, compute(db, "STARTING", 0, false));
        assertThat(api().get(t.readKey(), "/v1/operations/" + op).text("state")).isEqualTo("RUNNING");
        report(generation, compute(db, "RUNNING", 1, false));
        assertThat(api().get(t.readKey(), "/v1/operations/" + op).text("state")).isEqualTo("RUNNING");
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("PROVISIONING");

        report(generation, compute(db, "RUNNING", 1, true));
        var opView = api().get(t.readKey(), "/v1/operations/" + op);
        assertThat(opView.text("state")).isEqualTo("SUCCEEDED");
        assertThat(opView.text("finishedAt")).isNotNull();
        var dbView = api().get(t.readKey(), "/v1/databases/" + db);
        assertThat(dbView.text("state")).isEqualTo("RUNNING");
        assertThat(dbView.at("/connection/uri").asString())
                .isEqualTo("postgresql://observed_owner@127.0.0.1:6432/observed." + endpoint);
        assertThat(dbView.at("/connection/password").isMissingNode()).isTrue();
    }

    @Test
    void desiredStateCarriesTheVerifierNeverThePassword() {
        TestTenant t = newTenant();
        var created = createDatabase(t, "secretive");
        String password = created.at("/connection/password").asString();
        JsonNode state = desired(0, 0);
        assertThat(state.toString()).doesNotContain(password);
        JsonNode spec = null;
        for (JsonNode c : state.get("computes")) {
            if (c.get("computeId").asString().equals(created.at("/database/id").asString())) {
                spec = c;
            }
        }
        assertThat(spec).isNotNull();
        assertThat(spec.get("ownerVerifier").asString()).startsWith("SCRAM-SHA-256$4096:");
        assertThat(jdbc.queryForList("select * from databases").toString()).doesNotContain(password);
    }

    @Test
    void deletionCompletesWhenTheComputeIsGoneAtTheDeletingGenerationWhateverOtherComputesDo() {
        TestTenant t = newTenant();
        var created = createDatabase(t, "doomed");
        String db = created.at("/database/id").asString();
        long before = desired(0, 0).get("generation").asLong();
        report(before, compute(db, "RUNNING", 1, true));

        var del = api().delete(t.adminKey(), "/v1/databases/" + db);
        assertThat(del.status()).isEqualTo(202);
        String op = del.at("/operation/id").asString();
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("DELETING");
        JsonNode after = desired(before, 5);
        assertThat(after.get("computes").findValuesAsString("computeId")).doesNotContain(db);

        // A report from before the delete was seen must not complete it.
        report(before, "");
        assertThat(api().get(t.readKey(), "/v1/operations/" + op).text("state")).isEqualTo("RUNNING");
        // The pass of the deleting generation ran although another compute on the node failed (not fully applied):
        // the deletion is done all the same.
        report(before, after.get("generation").asLong(), "");
        assertThat(api().get(t.readKey(), "/v1/operations/" + op).text("state")).isEqualTo("SUCCEEDED");
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("DELETED");
        // Deleting again is idempotent: the same operation.
        assertThat(api().delete(t.adminKey(), "/v1/databases/" + db).at("/operation/id").asString()).isEqualTo(op);
        // The name is free again.
        createDatabase(t, "doomed");
    }
}
