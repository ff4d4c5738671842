package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A key's life: an optional expiry, rotation with a grace period, revocation at once, and when it was last used. */
class KeyLifecycleTests extends ControlPlaneTest {

    private String keysOf(TestTenant t) {
        return "/v1/tenants/" + t.id() + "/api-keys";
    }

    @Test
    void aKeyWithAnExpiryWorksUntilThenAndIsRefusedAfter() {
        TestTenant t = newTenant();
        Instant soon = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        var issued = api().post(t.adminKey(), keysOf(t), ApiClient.json("role", "tenant-read", "expiresAt", soon.toString()));
        assertThat(issued.status()).as(issued.raw()).isEqualTo(201);
        String key = issued.text("key");

        assertThat(api().get(key, "/v1/databases").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api().get(key, "/v1/databases").status() == 401);
        JsonNode listed = find(api().get(t.adminKey(), keysOf(t)).json(), issued.text("id"));
        assertThat(Instant.parse(listed.get("expiresAt").asString())).isEqualTo(soon);
    }

    @Test
    void anExpiryInThePastOrMalformedIsRefusedAndIssuesNothing() {
        TestTenant t = newTenant();
        long keys = count("api_keys");
        var past = api().post(t.adminKey(), keysOf(t), ApiClient.json("role", "tenant-read", "expiresAt", "2020-01-01T00:00:00Z"));
        var bad = api().post(t.adminKey(), keysOf(t), ApiClient.json("role", "boss", "expiresAt", "tomorrow"));

        assertThat(past.status()).isEqualTo(400);
        assertThat(past.json().get("errors").findValuesAsString("field")).containsExactly("expiresAt");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("role", "expiresAt");
        assertThat(count("api_keys")).isEqualTo(keys);
    }

    @Test
    void aRotatedKeyKeepsWorkingForItsGraceThenOnlyTheNewOneDoes() {
        TestTenant t = newTenant();
        var old = api().post(t.adminKey(), keysOf(t), ApiClient.json("role", "tenant-admin"));
        String oldKey = old.text("key");

        var rotated = api().post(t.adminKey(), keysOf(t) + "/" + old.text("id") + "/rotate", ApiClient.json("graceSeconds", 2));

        assertThat(rotated.status()).as(rotated.raw()).isEqualTo(201);
        String newKey = rotated.text("key");
        assertThat(newKey).isNotEqualTo(oldKey);
        assertThat(rotated.text("role")).isEqualTo(old.text("role"));
        assertThat(api().get(oldKey, "/v1/databases").status()).as("within the grace").isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> api().get(oldKey, "/v1/databases").status() == 401);
        assertThat(api().get(newKey, "/v1/databases").status()).isEqualTo(200);
        // A key already at its end cannot be rotated again; revoking the new one ends it at once.
        assertThat(api().post(t.adminKey(), keysOf(t) + "/" + old.text("id") + "/rotate", null).status()).isEqualTo(404);
        assertThat(api().delete(t.adminKey(), keysOf(t) + "/" + rotated.text("id")).status()).isEqualTo(204);
        assertThat(api().get(newKey, "/v1/databases").status()).isEqualTo(401);
        assertThat(api().post(t.adminKey(), keysOf(t) + "/" + rotated.text("id") + "/rotate",
                ApiClient.json("graceSeconds", -1)).status()).isEqualTo(400);
    }

    @Test
    void aKeySaysWhenItWasLastUsed() {
        TestTenant t = newTenant();
        var issued = api().post(t.adminKey(), keysOf(t), ApiClient.json("role", "tenant-read"));
        assertThat(find(api().get(t.adminKey(), keysOf(t)).json(), issued.text("id")).get("lastUsedAt").isNull()).isTrue();
        Instant before = Instant.now().minusSeconds(1);

        api().get(issued.text("key"), "/v1/databases");

        JsonNode used = find(api().get(t.adminKey(), keysOf(t)).json(), issued.text("id"));
        assertThat(Instant.parse(used.get("lastUsedAt").asString())).isAfter(before);
    }

    private static JsonNode find(JsonNode keys, String id) {
        for (JsonNode k : keys) {
            if (k.get("id").asString().equals(id)) {
                return k;
            }
        }
        throw new AssertionError("no key " + id + " in " + keys);
    }
}
