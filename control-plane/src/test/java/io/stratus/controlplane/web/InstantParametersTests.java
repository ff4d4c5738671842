package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import org.junit.jupiter.api.Test;

/**
 * The {@code from}/{@code to} instants of the range endpoints (usage, metrics, billing exports): instants that
 * {@link java.time.Instant} parses but PostgreSQL cannot store are a 400 naming the parameter, never a 409 "retry".
 */
class InstantParametersTests extends ControlPlaneTest {

    private static final String OUT_OF_RANGE = "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z";

    @Test
    void instantsOutsideTheYears1To9999AreRefusedNamingEachParameter() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "ranges").at("/database/id").asString();

        assertRefused(api().get(t.readKey(), "/v1/databases/" + db
                + "/usage?from=%2B300000-01-01T00:00:00Z&to=%2B300000-01-02T00:00:00Z&granularity=day"), "from", "to");
        assertRefused(api().get(t.readKey(), "/v1/databases/" + db + "/usage?to=%2B300000-01-01T00:00:00Z"), "to");
        assertRefused(api().get(t.readKey(), "/v1/tenants/" + t.id() + "/usage?from=-300000-01-01T00:00:00Z"), "from");
        assertRefused(api().get(t.readKey(), "/v1/tenants/" + t.id()
                + "/usage?from=%2B300000-01-01T00:00:00Z&to=%2B300000-01-02T00:00:00Z&granularity=day"), "from", "to");
        assertRefused(api().get(t.readKey(), "/v1/databases/" + db + "/metrics?to=-300000-01-01T00:00:00Z"), "to");
        assertRefused(api().get(t.readKey(), "/v1/databases/" + db + "/metrics?from=%2B10000-01-01T00:00:00Z"), "from");
        assertRefused(api().get(OPERATOR_KEY, "/v1/admin/billing-exports?from=-1000000000-01-01T00:00:00Z"), "from");
        assertRefused(api().get(OPERATOR_KEY, "/v1/admin/billing-exports?to=%2B10000-01-01T00:00:00Z"), "to");
    }

    @Test
    void theFirstAndLastSupportedInstantsAreAnswered() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "edges").at("/database/id").asString();

        var first = api().get(t.readKey(), "/v1/databases/" + db
                + "/usage?from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z&granularity=day");
        assertThat(first.status()).as(first.raw()).isEqualTo(200);
        assertThat(first.text("from")).isEqualTo("0001-01-01T00:00:00Z");
        // A default `from` a day before a `to` in year 1 stops at year 1, never year 0.
        var defaulted = api().get(t.readKey(), "/v1/databases/" + db + "/usage?to=0001-01-01T05:00:00Z");
        assertThat(defaulted.status()).as(defaulted.raw()).isEqualTo(200);
        assertThat(defaulted.text("from")).isEqualTo("0001-01-01T00:00:00Z");
        var last = api().get(t.readKey(), "/v1/tenants/" + t.id()
                + "/usage?from=9999-12-31T22:00:00Z&to=9999-12-31T23:00:00Z");
        assertThat(last.status()).as(last.raw()).isEqualTo(200);
        assertThat(last.text("to")).isEqualTo("9999-12-31T23:00:00Z");
        var metrics = api().get(t.readKey(), "/v1/databases/" + db
                + "/metrics?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z");
        assertThat(metrics.status()).as(metrics.raw()).isEqualTo(200);
        var exports = api().get(OPERATOR_KEY, "/v1/admin/billing-exports?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z");
        assertThat(exports.status()).as(exports.raw()).isEqualTo(200);
    }

    @Test
    void billingExportsNameEveryBadParameterAtOnce() {
        var r = api().get(OPERATOR_KEY, "/v1/admin/billing-exports?from=bad&to=%2B300000-01-01T00:00:00Z");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactlyInAnyOrder("from", "to");
        assertThat(r.json().get("errors").findValuesAsString("reason"))
                .containsExactlyInAnyOrder(QueryParams.INSTANT_EXPECTED, OUT_OF_RANGE);
    }

    @Test
    void metricsNameEveryBadParameterAtOnce() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "charted_badly").at("/database/id").asString();

        var r = api().get(t.readKey(), "/v1/databases/" + db + "/metrics?from=bad&to=bad");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactlyInAnyOrder("from", "to");
    }

    private static void assertRefused(ApiClient.Response r, String... fields) {
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).as(r.raw()).containsExactlyInAnyOrder(fields);
        assertThat(r.json().get("errors").findValuesAsString("reason")).as(r.raw()).containsOnly(OUT_OF_RANGE);
    }
}
