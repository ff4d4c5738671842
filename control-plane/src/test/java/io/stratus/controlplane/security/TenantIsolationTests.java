package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tenant B, holding every id of tenant A, can neither see nor change anything of A's: always 404, never 403. */
class TenantIsolationTests extends ControlPlaneTest {

    @Test
    void otherTenantsIdsAreNotFoundOnEveryEndpointAndNothingChanges() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        var created = createDatabase(a, "orders");
        String db = created.at("/database/id").asString();
        String op = created.at("/operation/id").asString();
        String aKeyId = api().get(a.adminKey(), "/v1/tenants/" + a.id() + "/api-keys").json().get(0).get("id").asString();
        long databases = count("databases");
        long operations = count("operations");
        long keys = count("api_keys");

        record Call(String method, String path, String body) {
        }
        List<Call> calls = List.of(
                new Call("GET", "/v1/databases/" + db, null),
                new Call("DELETE", "/v1/databases/" + db, null),
                new Call("POST", "/v1/databases/" + db + "/reset-password", null),
                new Call("PATCH", "/v1/databases/" + db, "{\"maxCu\":1}"),
                new Call("POST", "/v1/databases/" + db + "/suspend", null),
                new Call("POST", "/v1/databases/" + db + "/resume", null),
                new Call("GET", "/v1/databases/" + db + "/scaling-events", null),
                new Call("GET", "/v1/databases/" + db + "/metrics", null),
                new Call("GET", "/v1/operations/" + op, null),
                new Call("GET", "/v1/tenants/" + a.id(), null),
                new Call("GET", "/v1/tenants/" + a.id() + "/api-keys", null),
                new Call("POST", "/v1/tenants/" + a.id() + "/api-keys", ApiClient.json("role", "tenant-admin")),
                new Call("DELETE", "/v1/tenants/" + a.id() + "/api-keys/" + aKeyId, null));
        for (String key : List.of(b.adminKey(), b.readKey())) {
            for (Call c : calls) {
                var r = api().send(key, c.method(), c.path(), c.body(), Map.of());
                assertThat(r.status()).as(c.method() + " " + c.path() + " -> " + r.raw()).isEqualTo(404);
                assertThat(r.contentType()).contains("application/problem+json");
            }
        }
        assertThat(count("databases")).isEqualTo(databases);
        assertThat(count("operations")).isEqualTo(operations);
        assertThat(count("api_keys")).isEqualTo(keys);
        assertThat(api().get(a.adminKey(), "/v1/databases/" + db).status()).isEqualTo(200);
        assertThat(api().get(a.adminKey(), "/v1/tenants/" + a.id() + "/api-keys").json().get(0).get("revokedAt").isNull()).isTrue();
    }

    @Test
    void listingShowsOnlyTheCallersDatabases() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        createDatabase(a, "alpha");
        createDatabase(b, "beta");
        var list = api().get(b.readKey(), "/v1/databases");
        assertThat(list.json().get("items")).hasSize(1);
        assertThat(list.json().get("items").get(0).get("name").asString()).isEqualTo("beta");
        assertThat(api().get(b.adminKey(), "/v1/tenants").json()).hasSize(1);
    }

    @Test
    void readOnlyKeyCannotChangeItsOwnTenantsDatabases() {
        TestTenant a = newTenant();
        String db = createDatabase(a, "ledger").at("/database/id").asString();
        assertThat(api().delete(a.readKey(), "/v1/databases/" + db).status()).isEqualTo(403);
        assertThat(api().post(a.readKey(), "/v1/databases", ApiClient.json("name", "x1", "minCu", 0.25, "maxCu", 1)).status())
                .isEqualTo(403);
        assertThat(api().post(a.readKey(), "/v1/databases/" + db + "/reset-password", null).status()).isEqualTo(403);
        assertThat(api().get(a.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("PROVISIONING");
    }
}
