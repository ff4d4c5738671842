package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import io.stratus.testing.PostgresHarness;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdempotencyTests extends ControlPlaneTest {

    private static final String BODY = "{\"name\":\"idem\",\"minCu\":0.25,\"maxCu\":1}";

    @Test
    void retryWithSameKeyAndBodyReturnsTheSameOperationAndOneDatabase() {
        TestTenant t = newTenant();
        var first = api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "retry-1"));
        answeredLongAgo(t, "retry-1");
        var again = api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "retry-1"));
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.at("/operation/id").asString()).isEqualTo(first.at("/operation/id").asString());
        assertThat(again.at("/database/id").asString()).isEqualTo(first.at("/database/id").asString());
        // The retry gets a usable password: a fresh one, since the first was never stored.
        assertThat(again.at("/connection/password").asString()).isNotBlank()
                .isNotEqualTo(first.at("/connection/password").asString());
        assertThat(api().get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
        assertThat(passwordWorks(first.at("/database/id").asString(), again.at("/connection/password").asString()))
                .isTrue();
        assertThat(passwordWorks(first.at("/database/id").asString(), first.at("/connection/password").asString()))
                .isFalse();
    }

    // A duplicate sent with the first (a double submit, two workers with one job) must not break the password the
    // first is handing out: it is told to wait, and only after the wait does a replay rotate it.
    @Test
    void aReplayRightAfterTheAnswerIsToldToWaitAndLeavesThePasswordAlone() {
        TestTenant t = newTenant();
        var first = api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "soon"));
        assertThat(first.status()).isEqualTo(202);
        var soon = api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "soon"));
        assertThat(soon.status()).as(soon.raw()).isEqualTo(409);
        assertThat(soon.contentType()).contains("application/problem+json");
        assertThat(soon.text("type")).endsWith("/idempotency-key-in-use");
        assertThat(soon.at("/errors/0/field").asString()).isEqualTo("Idempotency-Key");
        assertThat(Integer.parseInt(soon.headers().get("Retry-After").get(0))).isBetween(1, 5);
        assertThat(soon.raw()).doesNotContain("password\":");
        assertThat(passwordWorks(first.at("/database/id").asString(), first.at("/connection/password").asString()))
                .isTrue();
    }

    @Test
    void sameKeyWithADifferentBodyIsRejected() {
        TestTenant t = newTenant();
        api().post(t.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "k"));
        var r = api().post(t.adminKey(), "/v1/databases", BODY.replace("1}", "2}"), Map.of("Idempotency-Key", "k"));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(api().get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
    }

    // Twenty at once used to deadlock two of them on the live-name index (500s), then, taking turns, each rotated the
    // password the one before had handed out: of 20 passwords one worked. Now one is answered, the others told to wait.
    @Test
    void concurrentRequestsWithOneKeyCreateOneDatabaseAndEveryPasswordHandedOutWorks() throws Exception {
        TestTenant t = newTenant();
        // A ready node that takes them, as in a running fleet (placement locks its row too). It offers a release of
        // its own, so no other test's database lands on it.
        String release = "16." + (200_000_000 + new java.util.Random().nextInt(100_000_000));
        var node = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"race-" + java.util.UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":100,\"releases\":[\"" + release
                + "\"],\"frontDoorPort\":6432}");
        assertThat(node.status()).as(node.raw()).isEqualTo(201);
        String body = BODY.replace("}", ",\"release\":\"" + release + "\"}");
        var pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<ApiClient.Response>> tries = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                tries.add(() -> api().post(t.adminKey(), "/v1/databases", body, Map.of("Idempotency-Key", "race")));
            }
            List<String> passwords = new ArrayList<>();
            String databaseId = null;
            for (Future<ApiClient.Response> f : pool.invokeAll(tries)) {
                var r = f.get();
                assertThat(r.status()).as(r.raw()).isIn(202, 409);
                if (r.status() == 202) {
                    passwords.add(r.at("/connection/password").asString());
                    databaseId = r.at("/database/id").asString();
                } else {
                    assertThat(r.text("type")).endsWith("/idempotency-key-in-use");
                    assertThat(r.headers()).containsKey("Retry-After");
                }
            }
            assertThat(passwords).hasSize(1);
            assertThat(passwordWorks(databaseId, passwords.get(0))).isTrue();
        } finally {
            pool.shutdown();
        }
        assertThat(api().get(t.adminKey(), "/v1/databases").json().get("total").asLong()).isEqualTo(1);
    }

    @Test
    void keysAreScopedToTheTenant() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        var ra = api().post(a.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "shared"));
        var rb = api().post(b.adminKey(), "/v1/databases", BODY, Map.of("Idempotency-Key", "shared"));
        assertThat(rb.status()).isEqualTo(202);
        assertThat(rb.at("/database/id").asString()).isNotEqualTo(ra.at("/database/id").asString());
    }

    /** Moves the key's last answer into the past, as if the client had waited (rather than this test). */
    private void answeredLongAgo(TestTenant t, String key) {
        jdbc.update("update idempotency_keys set last_issued_at = last_issued_at - interval '1 hour' "
                + "where tenant_id = ?::uuid and key = ?", t.id(), key);
    }

    /** Whether a login with the password matches the owner's stored SCRAM verifier, checked by Postgres itself. */
    private boolean passwordWorks(String databaseId, String password) {
        String verifier = jdbc.queryForObject("select owner_verifier from databases where id = ?::uuid", String.class,
                databaseId);
        var server = PostgresHarness.server();
        String role = "v_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(server.url("postgres"), server.user(), server.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + verifier + "'");
            try (Connection login = DriverManager.getConnection(server.url("postgres"), role, password)) {
                return login.isValid(2);
            } catch (SQLException refused) {
                return false;
            } finally {
                st.execute("DROP ROLE " + role);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
