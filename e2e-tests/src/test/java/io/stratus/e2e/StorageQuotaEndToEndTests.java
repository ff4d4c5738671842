package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * A tenant's storage quota held on disk (issue #23, ADR 0018), with the control plane and a real agent: writes through
 * the front door past the quota turn the compute read-only (25006, reads still served, no SET gets around it), a create
 * over the quota is a 409 problem, a kill -9 of the agent changes none of it, and raising the quota makes it writable
 * again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorageQuotaEndToEndTests {

    /** About 1.1 MB of rows per statement: the size grows in steps well below the headroom the test gives. */
    private static final String MEGABYTE_OF_ROWS =
            "INSERT INTO fill SELECT g, repeat(md5(random()::text), 32) FROM generate_series(1, 1000) g";
    private static final long HEADROOM = 4_000_000;

    private StratusProcesses stratus;
    private ApiClient api;
    private E2e.Tenant tenant;
    private E2e.CreatedDatabase db;

    @BeforeAll
    void start() {
        // Checked every 500 ms instead of 10 s: the test waits for the limit, not for the default interval.
        stratus = new StratusProcesses().withAgentEnv("STRATUS_AGENT_STORAGE_CHECK_INTERVAL", "500ms");
        stratus.start();
        api = stratus.api();
        tenant = E2e.newTenant(api);
        db = E2e.create(api, tenant, "filled");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
    }

    @AfterAll
    void stop() throws Exception {
        if (stratus != null) {
            stratus.close();
        }
    }

    @Test
    void writesPastTheStorageQuotaTurnTheDatabaseReadOnlyUntilTheQuotaIsRaised() throws Exception {
        // A quota far away first: the agent then measures the database and reports what an empty one stores.
        setStorageQuota(1_000_000_000L);
        long empty = await().atMost(Duration.ofSeconds(20)).until(() -> database().get("storedBytes"),
                n -> n != null && !n.isNull()).asLong();
        long quota = empty + HEADROOM;
        setStorageQuota(quota);
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE fill (id int, pad text)");
        }

        // Write through the front door until the compute refuses: each statement on a fresh connection if the last
        // one ended (the restart into read-only ends open sessions with 57P01).
        AtomicLong written = new AtomicLong();
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
                st.execute(MEGABYTE_OF_ROWS);
                written.incrementAndGet();
                return false;
            } catch (SQLException e) {
                if ("25006".equals(e.getSQLState())) {
                    return true;
                }
                if ("57P01".equals(e.getSQLState()) || "57P03".equals(e.getSQLState())
                        || (e.getSQLState() != null && e.getSQLState().startsWith("08"))) {
                    return false;
                }
                throw e;
            }
        });
        long refusedAfterMillis = (System.nanoTime() - started) / 1_000_000;

        JsonNode limited = await().atMost(Duration.ofSeconds(10)).until(this::database,
                d -> d.get("storageLimited").asBoolean());
        long stored = limited.get("storedBytes").asLong();
        System.out.printf("storage quota %d bytes: %d statements of ~1.1 MB accepted in %d ms; stored %d bytes when"
                + " read-only, %d over the quota%n", quota, written.get(), refusedAfterMillis, stored, stored - quota);
        assertThat(stored).isGreaterThanOrEqualTo(quota);
        assertThat(limited.get("state").asString()).isEqualTo("RUNNING");
        assertThat(limited.get("message").asString()).startsWith("read-only");

        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            assertThat(count(st)).as("reads are served").isEqualTo(written.get() * 1000);
            assertSqlState(st, MEGABYTE_OF_ROWS, "25006");
            st.execute("SET default_transaction_read_only = off");
            assertSqlState(st, MEGABYTE_OF_ROWS, "25006");
            assertSqlState(st, "SET transaction_read_only = off", "0A000");
            assertSqlState(st, "CREATE TABLE more (id int)", "25006");
            assertSqlState(st, "TRUNCATE fill", "25006");
        }

        var over = api.post(tenant.adminKey(), "/v1/databases", ApiClient.json("name", "another", "minCu", 0.25,
                "maxCu", 1));
        assertThat(over.status()).as(over.raw()).isEqualTo(409);
        assertThat(over.contentType()).contains("application/problem+json");
        assertThat(over.text("type")).endsWith("quota-exceeded");
        assertThat(over.text("detail")).contains("storage quota of " + quota + " bytes");
        assertThat(api.get(tenant.adminKey(), "/v1/databases").json().get("total").asLong()).as("nothing created")
                .isEqualTo(1);

        // kill -9 of the agent: the next one adopts the compute as it runs, read-only, and keeps it so while the spec
        // says it is over; the raise then reaches the new agent, which lifts it.
        stratus.killAgent();
        java.time.Instant restarted = java.time.Instant.now();
        stratus.startAgent();
        // What the new agent reports, not what the dead one last said: and writes stay refused over several checks.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                java.time.Instant.parse(database().get("observedAt").asString()).isAfter(restarted));
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertSqlState(st, MEGABYTE_OF_ROWS, "25006"));
        }
        assertThat(database().get("storageLimited").asBoolean()).isTrue();

        setStorageQuota(stored + 100_000_000L);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
                st.execute("INSERT INTO fill VALUES (0, 'after the raise')");
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
        assertThat(await().atMost(Duration.ofSeconds(10)).until(this::database,
                d -> !d.get("storageLimited").asBoolean()).get("message").isNull()).isTrue();
        JsonNode events = api.get(tenant.adminKey(), "/v1/databases/" + db.id() + "/scaling-events").json();
        assertThat(events.findValuesAsString("reason")).anyMatch(r -> r.startsWith("read-only: stores"))
                .anyMatch(r -> r.startsWith("writable again"));
    }

    private void setStorageQuota(long bytes) {
        var r = api.send(StratusProcesses.OPERATOR_KEY, "PUT", "/v1/tenants/" + tenant.id() + "/quotas",
                "{\"databases\":5,\"storageBytes\":" + bytes + "}", Map.of());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    private JsonNode database() {
        return api.get(tenant.adminKey(), "/v1/databases/" + db.id()).json();
    }

    private static long count(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM fill")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertSqlState(Statement st, String sql, String state) {
        assertThatThrownBy(() -> st.execute(sql)).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(state));
    }
}
