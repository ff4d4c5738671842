package io.stratus.controlplane.tenants;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import org.junit.jupiter.api.Test;

/** The operator's quotas on a tenant: refused changes name the quota and change nothing. */
class QuotaTests extends ControlPlaneTest {

    private ApiClient.Response setQuotas(TestTenant t, String body) {
        return api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/quotas", body, java.util.Map.of());
    }

    @Test
    void theSumOfMaxCuIsCappedOnCreateAndOnUpdate() {
        TestTenant t = newTenant();
        var set = setQuotas(t, "{\"databases\":5,\"totalMaxCu\":3}");
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.json().get("maxTotalCu").decimalValue()).isEqualByComparingTo("3");
        assertThat(set.json().get("maxDatabases").asInt()).isEqualTo(5);

        var first = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "one", "minCu", 0.25, "maxCu", 2));
        assertThat(first.status()).isEqualTo(202);
        long databases = count("databases");
        var over = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "two", "minCu", 0.25, "maxCu", 1.25));
        assertThat(over.status()).as(over.raw()).isEqualTo(409);
        assertThat(over.text("type")).endsWith("quota-exceeded");
        assertThat(over.text("detail")).contains("quota of 3 CU").contains("add up to 2");
        assertThat(over.json().get("errors").findValuesAsString("field")).containsExactly("maxCu");
        assertThat(count("databases")).isEqualTo(databases);
        assertThat(api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "two", "minCu", 0.25, "maxCu", 1))
                .status()).as("exactly at the quota").isEqualTo(202);

        String one = first.at("/database/id").asString();
        var grow = api().send(t.adminKey(), "PATCH", "/v1/databases/" + one, "{\"maxCu\":2.25}", java.util.Map.of());
        assertThat(grow.status()).as(grow.raw()).isEqualTo(409);
        assertThat(api().get(t.adminKey(), "/v1/databases/" + one).json().get("maxCu").decimalValue())
                .as("nothing changed").isEqualByComparingTo("2");
        var shrink = api().send(t.adminKey(), "PATCH", "/v1/databases/" + one, "{\"maxCu\":1.5}", java.util.Map.of());
        assertThat(shrink.status()).as("going down is always allowed").isEqualTo(200);
    }

    @Test
    void aDatabaseCountQuotaAppliesAndNullLiftsTheCuQuota() {
        TestTenant t = newTenant();
        setQuotas(t, "{\"databases\":1,\"totalMaxCu\":1}");
        assertThat(api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "a", "minCu", 0.25, "maxCu", 1)).status())
                .isEqualTo(202);
        var second = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "b", "minCu", 0.25, "maxCu", 1));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.text("detail")).contains("quota of 1 databases");

        setQuotas(t, "{\"databases\":2}");
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + t.id()).json().get("maxTotalCu").isNull()).isTrue();
        assertThat(api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", "b", "minCu", 0.25, "maxCu", 8))
                .status()).isEqualTo(202);
    }

    @Test
    void onlyTheOperatorSetsQuotasAndBadOnesAreProblemsNamingEachField() {
        TestTenant t = newTenant();
        var byTenant = api().send(t.adminKey(), "PUT", "/v1/tenants/" + t.id() + "/quotas", "{\"databases\":1000}",
                java.util.Map.of());
        assertThat(byTenant.status()).isEqualTo(403);

        var bad = setQuotas(t, "{\"databases\":-1,\"totalMaxCu\":-2}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsString("field")).containsExactly("databases", "totalMaxCu");
        var missing = setQuotas(t, "{}");
        assertThat(missing.json().get("errors").findValuesAsString("field")).containsExactly("databases");
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + t.id()).json().get("maxDatabases").asInt())
                .as("unchanged").isEqualTo(20);
    }
}
