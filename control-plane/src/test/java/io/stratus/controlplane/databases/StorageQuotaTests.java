package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The tenant's storage quota on the control plane's side, with the test playing the agent on a node of its own: the
 * quota on the tenant, each database's storage limit in its compute's spec (the quota minus what the tenant's other
 * live databases store), following the quota and the readings, creates refused at the quota, read-only shown.
 */
class StorageQuotaTests extends ControlPlaneTest {

    private static final Random RANDOM = new Random();
    private static final long MB = 1_000_000;

    private record OwnNode(String id, String credential, String release) {
    }

    @Test
    void theStorageQuotaIsShownValidatedAndNullLiftsIt() {
        TestTenant t = newTenant();
        var set = setQuotas(t, "{\"databases\":5,\"storageBytes\":1000000}");
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.json().get("maxStorageBytes").asLong()).isEqualTo(1_000_000);
        assertThat(api().get(t.readKey(), "/v1/tenants/" + t.id()).json().get("maxStorageBytes").asLong())
                .isEqualTo(1_000_000);

        var negative = setQuotas(t, "{\"databases\":5,\"storageBytes\":-1}");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().get("errors").findValuesAsString("field")).containsExactly("storageBytes");
        var absurd = setQuotas(t, "{\"databases\":5,\"storageBytes\":10000000000000000}");
        assertThat(absurd.status()).isEqualTo(400);
        assertThat(absurd.text("detail") + absurd.raw()).contains("storageBytes");
        var text = setQuotas(t, "{\"databases\":5,\"storageBytes\":\"lots\"}");
        assertThat(text.status()).isEqualTo(400);
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + t.id()).json().get("maxStorageBytes").asLong())
                .as("unchanged by refused requests").isEqualTo(1_000_000);

        setQuotas(t, "{\"databases\":5}");
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + t.id()).json().get("maxStorageBytes").isNull()).isTrue();
    }

    @Test
    void eachDatabaseIsLimitedToTheQuotaMinusWhatTheTenantsOtherDatabasesStore() {
        OwnNode node = ownNode();
        TestTenant t = newTenant();
        String a = create(t, "a", node);
        String b = create(t, "b", node);
        long generation = desired(node, 0, 0).get("generation").asLong();
        assertThat(limits(desired(node, 0, 0))).as("no quota: no limit").containsEntry(a, null).containsEntry(b, null);

        setQuotas(t, "{\"databases\":5,\"storageBytes\":100000000}");
        JsonNode afterQuota = desired(node, generation, 5);
        assertThat(afterQuota.get("generation").asLong()).as("the quota bumps the node").isGreaterThan(generation);
        assertThat(limits(afterQuota)).containsEntry(a, 100 * MB).containsEntry(b, 100 * MB);
        generation = afterQuota.get("generation").asLong();

        report(node, generation, compute(a, 30 * MB, false) + "," + compute(b, 10 * MB, false));
        JsonNode afterReadings = awaitGenerationAfter(node, generation);
        assertThat(limits(afterReadings)).containsEntry(a, 90 * MB).containsEntry(b, 70 * MB);
        generation = afterReadings.get("generation").asLong();
        assertThat(api().get(t.readKey(), "/v1/databases/" + a).json().get("storedBytes").asLong()).isEqualTo(30 * MB);

        report(node, generation, compute(a, 30 * MB, false) + "," + compute(b, 10 * MB, false));
        assertThat(desired(node, generation, 1)).as("the same readings again move nothing").isNull();

        assertThat(api().delete(t.adminKey(), "/v1/databases/" + b).status()).isEqualTo(202);
        JsonNode afterDelete = awaitGenerationAfter(node, generation);
        assertThat(limits(afterDelete)).as("a deleted database's bytes count no more").containsEntry(a, 100 * MB)
                .doesNotContainKey(b);

        setQuotas(t, "{\"databases\":5,\"storageBytes\":20000000}");
        JsonNode lowered = awaitGenerationAfter(node, afterDelete.get("generation").asLong());
        assertThat(limits(lowered)).as("what it stores, not what others store, is held against it")
                .containsEntry(a, 20 * MB);
    }

    @Test
    void aCreateWhileTheTenantStoresItsQuotaIsAQuotaExceededProblemAndChangesNothing() {
        OwnNode node = ownNode();
        TestTenant t = newTenant();
        String a = create(t, "a", node);
        setQuotas(t, "{\"databases\":5,\"storageBytes\":50000000}");
        long generation = desired(node, 0, 0).get("generation").asLong();
        report(node, generation, compute(a, 49 * MB, false));
        assertThat(createRequest(t, "b", node).status()).as("under the quota").isEqualTo(202);

        report(node, generation, compute(a, 50 * MB, true));
        long databases = count("databases");
        var over = createRequest(t, "c", node);

        assertThat(over.status()).as(over.raw()).isEqualTo(409);
        assertThat(over.contentType()).contains("application/problem+json");
        assertThat(over.text("type")).endsWith("quota-exceeded");
        assertThat(over.text("detail")).contains("storage quota of 50000000 bytes").contains("store 50000000 bytes");
        assertThat(count("databases")).as("nothing changed").isEqualTo(databases);
    }

    @Test
    void aComputeHeldReadOnlyShowsOnItsDatabaseAndInItsScalingEvents() {
        OwnNode node = ownNode();
        TestTenant t = newTenant();
        String a = create(t, "a", node);
        setQuotas(t, "{\"databases\":5,\"storageBytes\":10000000}");
        long generation = desired(node, 0, 0).get("generation").asLong();

        report(node, generation, compute(a, 12 * MB, true));
        var limited = api().get(t.readKey(), "/v1/databases/" + a).json();
        assertThat(limited.get("storageLimited").asBoolean()).isTrue();
        assertThat(limited.get("state").asString()).isEqualTo("RUNNING");
        assertThat(limited.get("message").asString()).startsWith("read-only: it stores 12000000 bytes")
                .contains("25006");

        report(node, generation, compute(a, 12 * MB, false));
        var writable = api().get(t.readKey(), "/v1/databases/" + a).json();
        assertThat(writable.get("storageLimited").asBoolean()).isFalse();
        assertThat(writable.get("message").isNull()).isTrue();
        JsonNode events = api().get(t.readKey(), "/v1/databases/" + a + "/scaling-events").json();
        assertThat(events.findValuesAsString("reason")).anyMatch(r -> r.startsWith("read-only: stores 12000000 bytes"))
                .anyMatch(r -> r.startsWith("writable again"));
    }

    // ---- the test as the agent ----

    private ApiClient.Response setQuotas(TestTenant t, String body) {
        return api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/quotas", body, Map.of());
    }

    private OwnNode ownNode() {
        String release = "16." + (100 + RANDOM.nextInt(1_000_000));
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"storage-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z1\",\"capacityCu\":10,\"releases\":[\"" + release + "\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        return new OwnNode(reg.text("nodeId"), reg.text("credential"), release);
    }

    private ApiClient.Response createRequest(TestTenant t, String name, OwnNode node) {
        return api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", name, "minCu", 0.25, "maxCu", 1,
                "release", node.release()));
    }

    private String create(TestTenant t, String name, OwnNode node) {
        var created = createRequest(t, name, node);
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        return created.at("/database/id").asString();
    }

    private JsonNode desired(OwnNode node, long after, int wait) {
        var r = api().get(node.credential(), "/agent/v1/nodes/" + node.id() + "/desired-state?after=" + after
                + "&waitSeconds=" + wait);
        return r.status() == 204 ? null : r.json();
    }

    /** The bump happens after the report's commit: wait for it. */
    private JsonNode awaitGenerationAfter(OwnNode node, long generation) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> desired(node, generation, 1), d -> d != null);
    }

    private static Map<String, Long> limits(JsonNode state) {
        Map<String, Long> limits = new HashMap<>();
        for (JsonNode c : state.get("computes")) {
            JsonNode limit = c.get("storageLimitBytes");
            limits.put(c.get("computeId").asString(), limit == null || limit.isNull() ? null : limit.asLong());
        }
        return limits;
    }

    private void report(OwnNode node, long generation, String computes) {
        var r = api().post(node.credential(), "/agent/v1/nodes/" + node.id() + "/status", "{\"nodeId\":\"" + node.id()
                + "\",\"observedGeneration\":" + generation + ",\"reconciledGeneration\":" + generation
                + ",\"observedAt\":\"2026-01-01T00:00:00Z\",\"capacityCu\":10,\"enforcement\":\"none\",\"computes\":["
                + computes + "]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(204);
    }

    private static String compute(String id, long storedBytes, boolean limited) {
        return "{\"computeId\":\"" + id + "\",\"phase\":\"RUNNING\",\"specVersion\":1,\"release\":\"16.1\","
                + "\"acceptingLogins\":true,\"restarts\":0,\"message\":null,\"storedBytes\":" + storedBytes
                + ",\"storageLimited\":" + limited + "}";
    }
}
