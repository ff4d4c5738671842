package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The task channel end to end, with its first task type: a checkpoint on a real compute, asked for through the API,
 * delivered to the agent with the desired state, its result reported back, its operation settled; and across a
 * kill -9 of either process.
 */
class TaskEndToEndTests {

    private static final String OP = StratusProcesses.OPERATOR_KEY;
    private StratusProcesses stratus;
    private E2e.Tenant tenant;

    @BeforeEach
    void start() {
        stratus = new StratusProcesses();
        stratus.start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterEach
    void stop() throws Exception {
        stratus.close();
    }

    @Test
    void aCheckpointRunsOnTheComputeAndReportsWhereItIs() throws Exception {
        ApiClient api = stratus.api();
        E2e.CreatedDatabase db = running("ledger");
        String before;
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE entries AS SELECT generate_series(1, 50000) AS id");
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                before = rs.getString(1);
            }
        }

        ApiClient.Response queued = api.post(OP, "/v1/admin/databases/" + db.id() + "/checkpoint", null);

        assertThat(queued.status()).as(queued.raw()).isEqualTo(202);
        assertThat(queued.at("/operation/type").asString()).isEqualTo("CHECKPOINT");
        String taskId = queued.at("/task/id").asString();
        assertThat(queued.headers().get("Location")).containsExactly("/v1/admin/tasks/" + taskId);
        // The tenant sees the operation on its database like any other.
        assertThat(E2e.awaitOperation(api, tenant, queued.at("/operation/id").asString(), Duration.ofSeconds(30)))
                .isEqualTo("SUCCEEDED");
        JsonNode task = api.get(OP, "/v1/admin/tasks/" + taskId).json();
        assertThat(task.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(task.get("progress").asInt()).isEqualTo(100);
        String checkpointLsn = task.at("/result/checkpointLsn").asString();
        try (Connection c = E2e.connect(db.uri());
             PreparedStatement st = c.prepareStatement("SELECT ?::pg_lsn >= ?::pg_lsn, ?::pg_lsn <= pg_current_wal_lsn()")) {
            st.setString(1, checkpointLsn);
            st.setString(2, before);
            st.setString(3, checkpointLsn);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("checkpoint %s after the writes (%s)", checkpointLsn, before).isTrue();
                assertThat(rs.getBoolean(2)).isTrue();
            }
        }
        assertThat(api.get(OP, "/v1/admin/databases/" + db.id() + "/tasks").json().get(0).get("id").asString())
                .isEqualTo(taskId);
    }

    @Test
    void aSuspendedDatabaseIsNotWokenForACheckpoint() {
        ApiClient api = stratus.api();
        E2e.CreatedDatabase db = running("sleepy");
        var suspended = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/suspend", null);
        assertThat(E2e.awaitOperation(api, tenant, suspended.at("/operation/id").asString(), Duration.ofSeconds(30)))
                .isEqualTo("SUCCEEDED");

        var queued = api.post(OP, "/v1/admin/databases/" + db.id() + "/checkpoint", null);

        assertThat(E2e.awaitOperation(api, tenant, queued.at("/operation/id").asString(), Duration.ofSeconds(30)))
                .isEqualTo("SUCCEEDED");
        assertThat(api.get(OP, "/v1/admin/tasks/" + queued.at("/task/id").asString()).at("/result/stopped").asBoolean())
                .isTrue();
        assertThat(api.get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")).isEqualTo("SUSPENDED");
    }

    @Test
    void whatCannotBeCheckpointedIsAProblemAndQueuesNothing() throws Exception {
        ApiClient api = stratus.api();
        var unknown = api.post(OP, "/v1/admin/databases/" + UUID.randomUUID() + "/checkpoint", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");

        // Still being made: no compute yet to work on (the agent is held back so it stays that way).
        stratus.killAgent();
        E2e.CreatedDatabase making = E2e.create(api, tenant, "unborn");
        var refused = api.post(OP, "/v1/admin/databases/" + making.id() + "/checkpoint", null);
        assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(api.get(OP, "/v1/admin/databases/" + making.id() + "/tasks").json()).isEmpty();
    }

    // The agent is dead when the task is queued: it waits in the desired state and runs once the agent is back.
    @Test
    void aTaskQueuedWhileTheAgentIsDeadRunsWhenItComesBack() throws Exception {
        ApiClient api = stratus.api();
        E2e.CreatedDatabase db = running("patient");
        stratus.killAgent();

        var queued = api.post(OP, "/v1/admin/databases/" + db.id() + "/checkpoint", null);
        assertThat(queued.status()).isEqualTo(202);
        String operation = queued.at("/operation/id").asString();
        assertThat(api.get(tenant.adminKey(), "/v1/operations/" + operation).text("state")).isEqualTo("RUNNING");

        stratus.startAgent();
        assertThat(E2e.awaitOperation(api, tenant, operation, Duration.ofSeconds(60))).isEqualTo("SUCCEEDED");
        assertThat(api.get(OP, "/v1/admin/tasks/" + queued.at("/task/id").asString()).at("/result/checkpointLsn")
                .asString()).matches("[0-9A-F]+/[0-9A-F]+");
    }

    // The control plane dies right after queueing: whether the agent's report reached it before or reaches the next
    // one, the task ends SUCCEEDED once, and the agent then forgets it.
    @Test
    void aTaskOutlivesAControlPlaneKilledRightAfterQueueingIt() throws Exception {
        E2e.CreatedDatabase db = running("steady");
        var queued = stratus.api().post(OP, "/v1/admin/databases/" + db.id() + "/checkpoint", null);
        assertThat(queued.status()).isEqualTo(202);
        stratus.killControlPlane();

        stratus.startControlPlane();
        ApiClient api = stratus.api();
        assertThat(E2e.awaitOperation(api, tenant, queued.at("/operation/id").asString(), Duration.ofSeconds(60)))
                .isEqualTo("SUCCEEDED");
        String taskId = queued.at("/task/id").asString();
        assertThat(api.get(OP, "/v1/admin/tasks/" + taskId).text("state")).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !java.nio.file.Files.exists(stratus.agentDataDir().resolve("tasks").resolve(taskId + ".json")));
    }

    private E2e.CreatedDatabase running(String name) {
        E2e.CreatedDatabase db = E2e.create(stratus.api(), tenant, name);
        assertThat(E2e.awaitOperation(stratus.api(), tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        return db;
    }
}
