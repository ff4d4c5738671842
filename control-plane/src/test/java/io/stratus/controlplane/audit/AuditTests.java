package io.stratus.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The audit trail as its readers use it: every change (and refused attempt) on the API recorded with who, what, the
 * target, the result and the request id; a tenant sees its own, the operator all; nothing of it is a secret.
 */
class AuditTests extends ControlPlaneTest {

    @Test
    void changesAndRefusedAttemptsAreRecordedWithWhoWhatTargetResultAndRequestId() {
        TestTenant t = newTenant();
        var created = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "audited", "minCu", 0.25, "maxCu", 2),
                Map.of("X-Request-Id", "req-audit-1"));
        assertThat(created.status()).isEqualTo(202);
        assertThat(created.headers().get("X-Request-Id")).containsExactly("req-audit-1");
        String db = created.at("/database/id").asString();
        var refused = api().post(t.readKey(), "/v1/databases/" + db + "/suspend", null);
        assertThat(refused.status()).isEqualTo(403);
        var notAllowed = api().post(t.adminKey(), "/v1/admin/plans", "{}");
        assertThat(notAllowed.status()).isEqualTo(403);
        api().get(t.adminKey(), "/v1/databases/" + db); // a read: not audited

        JsonNode events = api().get(t.readKey(), "/v1/audit-events").json();
        List<String> actions = events.get("items").findValuesAsString("action");
        // Newest first; the tenant's two keys were issued by the operator under /v1/tenants/{tenantId}: its events too.
        assertThat(actions).containsExactly("POST /v1/admin/plans", "POST /v1/databases/{id}/suspend", "POST /v1/databases",
                "POST /v1/tenants/{tenantId}/api-keys", "POST /v1/tenants/{tenantId}/api-keys");
        assertThat(events.get("items").get(3).get("actor").asString()).isEqualTo("operator");

        JsonNode create = events.get("items").get(2);
        assertThat(create.get("actor").asString()).isEqualTo("api-key");
        assertThat(create.get("tenantId").asString()).isEqualTo(t.id());
        assertThat(create.get("status").asInt()).isEqualTo(202);
        assertThat(create.get("requestId").asString()).isEqualTo("req-audit-1");
        assertThat(create.get("targetId").asString()).isEqualTo(created.at("/operation/id").asString());
        JsonNode suspend = events.get("items").get(1);
        assertThat(suspend.get("targetId").asString()).isEqualTo(db);
        assertThat(suspend.get("status").asInt()).isEqualTo(403);
        assertThat(suspend.get("keyId").asString()).isNotEqualTo(create.get("keyId").asString());
        assertThat(suspend.get("requestId").asString()).isEqualTo(refused.headers().get("X-Request-Id").get(0));

        // No secret in the trail: neither the database password nor any key.
        String all = api().get(OPERATOR_KEY, "/v1/audit-events?size=200").raw();
        assertThat(all).doesNotContain(created.at("/connection/password").asString()).doesNotContain(t.adminKey())
                .doesNotContain(t.readKey()).doesNotContain(OPERATOR_KEY);
    }

    @Test
    void aTenantSeesOnlyItsOwnEventsAndTheOperatorSeesEveryonesAndWhatItDidToATenant() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        api().post(a.adminKey(), "/v1/databases", ApiClient.json("name", "mine", "minCu", 0.25, "maxCu", 2));

        JsonNode ofB = api().get(b.adminKey(), "/v1/audit-events").json();
        assertThat(ofB.get("items").findValuesAsString("tenantId")).containsOnly(b.id());
        assertThat(ofB.get("items").findValuesAsString("action")).doesNotContain("POST /v1/databases");
        var sneaky = api().get(b.adminKey(), "/v1/audit-events?tenantId=" + a.id());
        assertThat(sneaky.status()).isEqualTo(400);
        assertThat(sneaky.json().get("errors").findValuesAsString("field")).containsExactly("tenantId");

        JsonNode ofA = api().get(OPERATOR_KEY, "/v1/audit-events?tenantId=" + a.id()).json();
        // Issuing the tenant its two keys was the operator's doing under /v1/tenants/{tenantId}: a's too.
        assertThat(ofA.get("items").findValuesAsString("action")).contains("POST /v1/databases",
                "POST /v1/tenants/{tenantId}/api-keys");
        assertThat(ofA.get("items").findValuesAsString("tenantId")).containsOnly(a.id());
        JsonNode filtered = api().get(OPERATOR_KEY, "/v1/audit-events?tenantId=" + a.id()
                + "&action=POST%20/v1/databases&size=1").json();
        assertThat(filtered.get("total").asLong()).isOne();
        assertThat(filtered.get("items")).hasSize(1);
    }

    @Test
    void badParametersAreOneProblemNamingEach() {
        TestTenant t = newTenant();
        var r = api().get(t.adminKey(), "/v1/audit-events?from=yesterday&size=0&page=-1");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactlyInAnyOrder("from", "size", "page");
    }
}
