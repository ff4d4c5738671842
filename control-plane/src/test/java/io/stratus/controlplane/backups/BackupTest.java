package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.protocol.TaskStatus;
import io.stratus.testing.ApiClient;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Backups' tests against the whole control plane, the test playing the agent: a node of the test's own (offering a
 * release no other test asks for), databases observed running on it, and task results reported as its agent would.
 */
abstract class BackupTest extends ControlPlaneTest {

    private static final Random RANDOM = new Random();

    @Autowired
    protected ComputeTasks tasks;

    protected record Node(UUID id, String credential, String release) {
    }

    protected record Db(TestTenant tenant, Node node, UUID id, String name, JsonNode created) {
    }

    protected Node ownNode() {
        String release = "16." + (100 + RANDOM.nextInt(1_000_000));
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"backup-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":10,\"releases\":[\"" + release + "\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        return new Node(UUID.fromString(reg.text("nodeId")), reg.text("credential"), release);
    }

    /** A database of the tenant's on its own node, observed running (so it has a compute to back up). */
    protected Db runningDatabase(TestTenant t, String name) {
        Node node = ownNode();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", name, "minCu", 0.25,
                "maxCu", 2, "release", node.release()));
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        UUID id = UUID.fromString(created.at("/database/id").asString());
        report(node, id, "RUNNING", null);
        assertThat(api().get(t.readKey(), "/v1/databases/" + id).text("state")).isEqualTo("RUNNING");
        return new Db(t, node, id, name, created.json());
    }

    protected JsonNode desired(Node node) {
        var r = api().get(node.credential(), "/agent/v1/nodes/" + node.id() + "/desired-state?after=0&waitSeconds=0");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    /** The node reports the compute in a phase, at the generation and spec version it was asked for. */
    protected void report(Node node, UUID computeId, String phase, String message) {
        JsonNode desired = desired(node);
        long generation = desired.get("generation").asLong();
        long specVersion = 1;
        for (JsonNode c : desired.get("computes")) {
            if (c.get("computeId").asString().equals(computeId.toString())) {
                specVersion = c.get("specVersion").asLong();
            }
        }
        var r = api().post(node.credential(), "/agent/v1/nodes/" + node.id() + "/status", "{\"nodeId\":\"" + node.id()
                + "\",\"observedGeneration\":" + generation + ",\"reconciledGeneration\":" + generation
                + ",\"observedAt\":\"2026-01-01T00:00:00Z\",\"capacityCu\":10,\"enforcement\":\"none\",\"computes\":["
                + "{\"computeId\":\"" + computeId + "\",\"phase\":\"" + phase + "\",\"specVersion\":" + specVersion
                + ",\"release\":\"" + node.release() + "\",\"acceptingLogins\":" + phase.equals("RUNNING")
                + ",\"restarts\":0,\"message\":" + (message == null ? "null" : "\"" + message + "\"") + "}]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    protected ApiClient.Response backUp(Db db) {
        var r = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/backups", null);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r;
    }

    protected UUID taskOf(UUID backupId) {
        return jdbc.queryForObject("select task_id from backups where id = ?", UUID.class, backupId);
    }

    /** What an agent reports for a backup that worked, consistent at {@code stoppedAt}, starting in {@code startWal}. */
    protected static Map<String, Object> backupResult(UUID databaseId, UUID backupId, Instant stoppedAt, String startWal) {
        Map<String, Object> r = new HashMap<>();
        r.put("method", "hot");
        r.put("release", "15.18");
        r.put("timeline", 1);
        r.put("startLsn", "0/5000028");
        r.put("stopLsn", "0/5000100");
        r.put("startWal", startWal);
        r.put("stopWal", startWal);
        r.put("startedAt", stoppedAt.minusSeconds(5).toString());
        r.put("stoppedAt", stoppedAt.toString());
        r.put("finishedAt", stoppedAt.plusSeconds(1).toString());
        r.put("sizeBytes", 123_456_789L);
        r.put("files", 987);
        r.put("manifestKey", io.stratus.protocol.BackupKeys.manifest(databaseId, backupId));
        return r;
    }

    protected void succeed(Db db, UUID backupId, Instant stoppedAt, String startWal) {
        tasks.ingest(db.node().id(), List.of(TaskStatus.succeeded(taskOf(backupId), "backed up",
                backupResult(db.id(), backupId, stoppedAt, startWal), Instant.now())));
    }

    protected void fail(Db db, UUID backupId, String reason, String message) {
        tasks.ingest(db.node().id(), List.of(TaskStatus.failed(taskOf(backupId), reason, message, Instant.now())));
    }

    /** A backup started through the API and reported good by the agent. */
    protected UUID goodBackup(Db db, Instant stoppedAt, String startWal) {
        UUID id = UUID.fromString(backUp(db).at("/backup/id").asString());
        succeed(db, id, stoppedAt, startWal);
        return id;
    }
}
