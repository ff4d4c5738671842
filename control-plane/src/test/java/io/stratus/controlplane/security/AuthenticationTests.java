package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticationTests extends ControlPlaneTest {

    @Test
    void requestsWithoutAValidKeyAreUnauthorized() {
        for (String key : new String[] {null, "", "stk_not-a-real-key", "garbage"}) {
            var r = api().get(key, "/v1/databases");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.contentType()).contains("application/problem+json");
        }
    }

    @Test
    void apiKeysAreStoredOnlyAsHashes() {
        TestTenant t = newTenant();
        List<byte[]> hashes = jdbc.queryForList("select key_hash from api_keys", byte[].class);
        for (byte[] h : hashes) {
            assertThat(h).hasSize(32);
            assertThat(new String(h, StandardCharsets.ISO_8859_1)).doesNotContain(t.adminKey().substring(4, 20));
        }
        String dump = jdbc.queryForList("select * from api_keys").toString();
        assertThat(dump).doesNotContain(t.adminKey()).doesNotContain(t.adminKey().substring(10));
    }

    @Test
    void revokedKeyStopsWorkingAtOnce() {
        TestTenant t = newTenant();
        var issued = api().post(t.adminKey(), "/v1/tenants/" + t.id() + "/api-keys", ApiClient.json("role", "tenant-read"));
        assertThat(issued.status()).isEqualTo(201);
        String key = issued.text("key");
        assertThat(api().get(key, "/v1/databases").status()).isEqualTo(200);
        assertThat(api().delete(t.adminKey(), "/v1/tenants/" + t.id() + "/api-keys/" + issued.text("id")).status()).isEqualTo(204);
        assertThat(api().get(key, "/v1/databases").status()).isEqualTo(401);
    }

    @Test
    void tenantKeysCannotActAsOperator() {
        TestTenant t = newTenant();
        assertThat(api().post(t.adminKey(), "/v1/tenants", ApiClient.json("name", "sneaky")).status()).isEqualTo(403);
        assertThat(api().post(t.adminKey(), "/v1/tenants/" + t.id() + "/api-keys", ApiClient.json("role", "operator")).status())
                .isEqualTo(400);
        assertThat(api().post(t.readKey(), "/v1/tenants/" + t.id() + "/api-keys", ApiClient.json("role", "tenant-admin")).status())
                .isEqualTo(403);
    }

    @Test
    void agentAndTenantCredentialsAreNotInterchangeable() {
        TestTenant t = newTenant();
        // A tenant key (and the operator key) on the agent API.
        for (String key : List.of(t.adminKey(), OPERATOR_KEY)) {
            assertThat(api().post(key, "/agent/v1/nodes", "{}").status()).isEqualTo(401);
            assertThat(api().get(key, "/agent/v1/nodes/00000000-0000-0000-0000-000000000000/desired-state").status()).isEqualTo(401);
        }
        // A node credential and the bootstrap token on the tenant API.
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", ApiClient.json("name", "auth-node", "address", "127.0.0.1",
                "zone", "z", "capacityCu", 1, "releases", List.of(), "frontDoorPort", 6432));
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        assertThat(api().get(reg.text("credential"), "/v1/databases").status()).isEqualTo(401);
        assertThat(api().get(BOOTSTRAP_TOKEN, "/v1/databases").status()).isEqualTo(401);
        // A node credential on another node's paths.
        assertThat(api().get(reg.text("credential"), "/agent/v1/nodes/00000000-0000-0000-0000-000000000000/desired-state")
                .status()).isEqualTo(401);
    }
}
