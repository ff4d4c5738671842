package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kill -9 of either process loses nothing: computes are adopted, operations finish after a restart. */
class CrashRecoveryTests {

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
    void agentKilledWhileDatabaseRunsAdoptsItOnRestartWithItsData() throws Exception {
        var api = stratus.api();
        var db = E2e.create(api, tenant, "durable");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (v int); INSERT INTO t SELECT generate_series(1, 1000)");
        }
        String pgVersionBefore = java.nio.file.Files.readString(stratus.agentDataDir().resolve("computes").resolve(db.id())
                .resolve("pgdata").resolve("postmaster.pid")).lines().findFirst().orElseThrow();

        Connection held = E2e.connect(db.uri());

        stratus.killAgent();
        // The front door died with the agent: its client lost the session, the compute did not.
        assertThatThrownBy(() -> held.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        held.close();
        stratus.startAgent();
        // Served again as soon as the agent is back (it adopts the compute before its front door opens).
        try (Connection c = E2e.connect(db.uri())) {
            assertThat(c.isValid(2)).isTrue();
        }

        // Adopted, not re-created: same data, and a new database still provisions through the restarted agent.
        var second = E2e.create(api, tenant, "after_restart");
        assertThat(E2e.awaitOperation(api, tenant, second.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        assertThat(api.get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")).isEqualTo("RUNNING");
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT sum(v) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(500_500L);
        }
        String pidAfter = java.nio.file.Files.readString(stratus.agentDataDir().resolve("computes").resolve(db.id())
                .resolve("pgdata").resolve("postmaster.pid")).lines().findFirst().orElseThrow();
        assertThat(pidAfter).as("the postmaster kept running through the agent's crash").isEqualTo(pgVersionBefore);
    }

    @Test
    void aStoppingFrontDoorTurnsNewClientsAwayThenEndsOpenSessionsWithAnError() throws Exception {
        var api = stratus.api();
        stratus.stopAgent();
        stratus.withAgentEnv("STRATUS_AGENT_FRONT_DOOR_SHUTDOWN_GRACE", "3s").startAgent();
        var db = E2e.create(api, tenant, "closing");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        Connection held = E2e.connect(db.uri());

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                stratus.stopAgent();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // While it lets open sessions finish, a new client is told why it cannot connect.
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (Connection c = E2e.connect(db.uri())) {
                return false;
            } catch (SQLException e) {
                return "57P03".equals(e.getSQLState()) && e.getMessage().contains("front door is shutting down");
            }
        });
        stopping.get(60, TimeUnit.SECONDS);
        // After the grace the open session was ended with an ErrorResponse, not a dropped socket.
        assertThatThrownBy(() -> held.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57P01");
        held.close();
    }

    @Test
    void controlPlaneKilledWhileOperationRunsFinishesItAfterRestart() throws Exception {
        var api = stratus.api();
        // Hold the agent back so the operation is still RUNNING when the control plane dies.
        stratus.killAgent();
        var db = E2e.create(api, tenant, "interrupted");
        assertThat(api.get(tenant.adminKey(), "/v1/operations/" + db.operationId()).text("state")).isEqualTo("RUNNING");
        stratus.killControlPlane();

        stratus.start();
        assertThat(E2e.awaitOperation(stratus.api(), tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        try (Connection c = E2e.connect(db.uri())) {
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void controlPlaneKilledAfterAcceptingLetsTheAgentFinishOnceItIsBack() throws Exception {
        var api = stratus.api();
        var db = E2e.create(api, tenant, "racing");
        stratus.killControlPlane();
        // The agent keeps working (and retrying its reports) while the control plane is down.
        Thread.sleep(2000);
        stratus.startControlPlane();
        assertThat(E2e.awaitOperation(stratus.api(), tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                "RUNNING".equals(stratus.api().get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")));
        try (Connection c = E2e.connect(db.uri())) {
            assertThat(c.isValid(2)).isTrue();
        }
    }
}
