package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.testing.ApiClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tenant asks for a database and connects to it: the packaged control plane and a real agent, real computes,
 * pgjdbc and psql.
 */
class ProvisioningEndToEndTests {

    private static StratusProcesses stratus;
    private static E2e.Tenant tenant;

    @BeforeAll
    static void start() {
        stratus = new StratusProcesses();
        stratus.start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterAll
    static void stop() throws Exception {
        stratus.close();
    }

    @Test
    void provisionedDatabaseAcceptsPgjdbcAndPsqlAndDeleteRemovesItsData() throws Exception {
        var api = stratus.api();
        var db = E2e.create(api, tenant, "shop");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        assertThat(api.get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")).isEqualTo("RUNNING");

        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)");
            st.execute("INSERT INTO orders (item) SELECT 'item-' || g FROM generate_series(1, 100) g");
            try (ResultSet rs = st.executeQuery("SELECT count(*), current_user, current_database() FROM orders")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(100);
                assertThat(rs.getString(2)).isEqualTo("shop_owner");
                assertThat(rs.getString(3)).isEqualTo("shop");
            }
        }
        assertThat(psql(db.uri(), "SELECT item FROM orders WHERE id = 42")).isEqualTo("item-42");

        Path dataDir = stratus.agentDataDir().resolve("computes").resolve(db.id());
        assertThat(dataDir).isDirectory();
        var del = api.delete(tenant.adminKey(), "/v1/databases/" + db.id());
        assertThat(del.status()).isEqualTo(202);
        assertThat(E2e.awaitOperation(api, tenant, del.at("/operation/id").asString(), Duration.ofSeconds(60)))
                .isEqualTo("SUCCEEDED");
        assertThat(api.get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")).isEqualTo("DELETED");
        assertThat(dataDir).doesNotExist();
        assertThatThrownBy(() -> E2e.connect(db.uri()).close()).isInstanceOf(SQLException.class);
    }

    @Test
    void passwordResetRetiresTheOldPassword() throws Exception {
        var api = stratus.api();
        var db = E2e.create(api, tenant, "rotating");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        var reset = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/reset-password", null);
        assertThat(reset.status()).as(reset.raw()).isEqualTo(200);
        assertThat(reset.at("/operation/state").asString()).isEqualTo("SUCCEEDED");
        String newUri = reset.at("/connection/uri").asString();
        try (Connection c = E2e.connect(newUri)) {
            assertThat(c.isValid(2)).isTrue();
        }
        assertThatThrownBy(() -> E2e.connect(db.uri()).close()).isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    /** The agent's superuser exists only behind the local socket; over TCP, hba refuses it whatever the password. */
    @Test
    void superuserAndOtherRolesCannotLogInOverTcp() throws Exception {
        var api = stratus.api();
        var db = E2e.create(api, tenant, "guarded");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        URI u = URI.create(db.uri());
        for (String[] attempt : List.of(new String[] {"stratus_agent", "guarded"}, new String[] {"stratus_agent", "postgres"},
                new String[] {"postgres", "postgres"}, new String[] {"guarded_owner", "postgres"})) {
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + "/"
                    + attempt[1], attempt[0], db.password()).close())
                    .as(attempt[0] + "@" + attempt[1]).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void idempotencyKeyRetriedAfterAClientTimeoutGivesOneDatabase() throws Exception {
        var api = stratus.api();
        var t = E2e.newTenant(api);
        String body = "{\"name\":\"retried\",\"minCu\":0.25,\"maxCu\":1}";
        // The first attempt gives up after 1 ms: the request may or may not have reached the server.
        var impatient = java.net.http.HttpClient.newHttpClient();
        try {
            impatient.send(java.net.http.HttpRequest.newBuilder(URI.create(stratus.baseUrl() + "/v1/databases"))
                    .timeout(Duration.ofMillis(1)).header("Authorization", "Bearer " + t.adminKey())
                    .header("Content-Type", "application/json").header("Idempotency-Key", "order-7")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException expected) {
            // what a client sees when it times out
        }
        // A well-behaved client: a 409 idempotency-key-in-use (the first attempt's answer is that fresh) is retried
        // after its Retry-After.
        var retry = postUntilAnswered(api, t, body, "order-7");
        var again = postUntilAnswered(api, t, body, "order-7");
        assertThat(again.at("/database/id").asString()).isEqualTo(retry.at("/database/id").asString());
        assertThat(E2e.awaitOperation(api, t, again.at("/operation/id").asString(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        assertThat(api.get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
        try (Connection c = E2e.connect(again.at("/connection/uri").asString())) {
            assertThat(c.isValid(2)).isTrue();
        }
    }

    private static ApiClient.Response postUntilAnswered(ApiClient api, E2e.Tenant t, String body, String key) {
        var answer = new java.util.concurrent.atomic.AtomicReference<ApiClient.Response>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            var r = api.post(t.adminKey(), "/v1/databases", body, java.util.Map.of("Idempotency-Key", key));
            assertThat(r.status()).as(r.raw()).isIn(202, 409);
            answer.set(r);
            return r.status() == 202;
        });
        return answer.get();
    }

    private static String psql(String uri, String sql) throws Exception {
        Process p = new ProcessBuilder("psql", uri, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql)
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
