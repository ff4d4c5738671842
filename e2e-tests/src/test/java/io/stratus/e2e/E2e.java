package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

/** Steps the end-to-end tests share: what a tenant's developer does with the API and a Postgres driver. */
final class E2e {

    private E2e() {
    }

    record Tenant(String id, String adminKey) {
    }

    record CreatedDatabase(String id, String operationId, String uri, String password) {
    }

    static Tenant newTenant(ApiClient api) {
        var t = api.post(StratusProcesses.OPERATOR_KEY, "/v1/tenants", ApiClient.json("name", "e2e-" + UUID.randomUUID().toString().substring(0, 8)));
        assertThat(t.status()).as(t.raw()).isEqualTo(201);
        var k = api.post(StratusProcesses.OPERATOR_KEY, "/v1/tenants/" + t.text("id") + "/api-keys", ApiClient.json("role", "tenant-admin"));
        assertThat(k.status()).isEqualTo(201);
        return new Tenant(t.text("id"), k.text("key"));
    }

    static CreatedDatabase create(ApiClient api, Tenant t, String name) {
        var r = api.post(t.adminKey(), "/v1/databases", ApiClient.json("name", name, "minCu", 0.25, "maxCu", 2));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return new CreatedDatabase(r.at("/database/id").asString(), r.at("/operation/id").asString(),
                r.at("/connection/uri").asString(), r.at("/connection/password").asString());
    }

    /** Polls the operation as a client would, until it is no longer open; returns its final state. */
    static String awaitOperation(ApiClient api, Tenant t, String operationId, Duration atMost) {
        String[] state = new String[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            state[0] = api.get(t.adminKey(), "/v1/operations/" + operationId).text("state");
            return "SUCCEEDED".equals(state[0]) || "FAILED".equals(state[0]);
        });
        return state[0];
    }

    /**
     * Opens a pgjdbc connection from a libpq URI {@code postgresql://user:password@host:port/db?sslmode=...}, as a
     * developer pastes it (its query parameters are pgjdbc's too).
     */
    static Connection connect(String uri) throws SQLException {
        URI u = URI.create(uri);
        String[] userInfo = u.getUserInfo().split(":", 2);
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath()
                + "?connectTimeout=40" + (u.getQuery() == null ? "" : "&" + u.getQuery()), userInfo[0], userInfo[1]);
    }

    static String withPassword(String uriWithoutPassword, String password) {
        return uriWithoutPassword.replaceFirst("@", ":" + password + "@");
    }
}
