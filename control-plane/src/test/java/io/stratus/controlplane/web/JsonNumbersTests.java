package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * JSON numbers bind only to fields of their own type: a fraction is not an integer, a string is not a number, and a
 * number too large for its field is not "malformed JSON". Each is a 400 naming the field, and nothing changes.
 */
class JsonNumbersTests extends ControlPlaneTest {

    private ApiClient.Response patch(TestTenant t, String db, String body) {
        return api().send(t.adminKey(), "PATCH", "/v1/databases/" + db, body, Map.of());
    }

    private static String planWith(String field, String json) {
        String plan = "{\"name\":\"json-" + UUID.randomUUID().toString().substring(0, 8) + "\",\"currency\":\"USD\","
                + "\"pricePerMillionRequests\":0.2,\"pricePerCuHour\":0.1,\"pricePerGbMonth\":0.35,\"pricePerGbEgress\":0.09,"
                + "\"freeRequests\":1000000,\"freeCuHours\":0.5,\"freeGbMonths\":5,\"freeEgressGb\":1}";
        return plan.replaceFirst("\"" + field + "\":[^,}]+", "\"" + field + "\":" + json);
    }

    @Test
    void fractionsForAnIntegerFieldAreRefusedNotTruncated() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "fractions").at("/database/id").asString();
        for (String fraction : new String[] {"10.9", "20.0", "1e3"}) {
            assertRefused(patch(t, db, "{\"suspendTimeoutSeconds\":" + fraction + "}"), "suspendTimeoutSeconds", "must be an integer");
        }
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).json().get("suspendTimeoutSeconds").asInt())
                .as("nothing changed").isEqualTo(300);
        var whole = patch(t, db, "{\"suspendTimeoutSeconds\":20}");
        assertThat(whole.status()).as(whole.raw()).isEqualTo(200);
        assertThat(whole.json().get("suspendTimeoutSeconds").asInt()).isEqualTo(20);
    }

    @Test
    void numbersSentAsStringsAreRefused() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "strings").at("/database/id").asString();
        assertRefused(patch(t, db, "{\"suspendTimeoutSeconds\":\"20\"}"), "suspendTimeoutSeconds", "must be an integer");
        assertRefused(patch(t, db, "{\"minCu\":\"0.5\"}"), "minCu", "must be a number");
        var unchanged = api().get(t.readKey(), "/v1/databases/" + db).json();
        assertThat(unchanged.get("suspendTimeoutSeconds").asInt()).isEqualTo(300);
        assertThat(unchanged.get("minCu").decimalValue()).isEqualByComparingTo("0.25");

        long plans = count("price_plans");
        assertRefused(api().post(OPERATOR_KEY, "/v1/admin/plans", planWith("pricePerCuHour", "\"0.1\"")),
                "pricePerCuHour", "must be a number");
        assertRefused(api().post(OPERATOR_KEY, "/v1/admin/plans", planWith("freeRequests", "\"1000000\"")),
                "freeRequests", "must be a number");
        assertThat(count("price_plans")).isEqualTo(plans);
        // Whole numbers are decimals too: 5 for a price or allowance stays accepted.
        var whole = api().post(OPERATOR_KEY, "/v1/admin/plans", planWith("freeGbMonths", "5"));
        assertThat(whole.status()).as(whole.raw()).isEqualTo(201);
    }

    @Test
    void integersTooLargeForTheirFieldAreRefusedNamingTheField() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "overflow").at("/database/id").asString();
        for (String big : new String[] {"99999999999", "-99999999999", "9999999999999999999999999"}) {
            assertRefused(patch(t, db, "{\"suspendTimeoutSeconds\":" + big + "}"), "suspendTimeoutSeconds",
                    "must be an integer within range");
        }
        assertRefused(patch(t, db, "{\"suspendTimeoutSeconds\":1e10}"), "suspendTimeoutSeconds", "must be an integer");
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).json().get("suspendTimeoutSeconds").asInt()).isEqualTo(300);
    }

    @Test
    void aFieldSentTwiceIsRefusedNamingItNotTheLastOneTaken() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "twice").at("/database/id").asString();
        assertRefused(patch(t, db, "{\"minCu\":0.5,\"maxCu\":2,\"minCu\":1}"), "minCu", "appears more than once");
        assertThat(api().get(t.readKey(), "/v1/databases/" + db).json().get("minCu").decimalValue())
                .as("nothing changed").isEqualByComparingTo("0.25");
    }

    @Test
    void aNumberPastTheParsersLimitIsABadRequestThatSaysSo() {
        TestTenant t = newTenant();
        String db = createDatabase(t, "digits").at("/database/id").asString();
        var r = patch(t, db, "{\"minCu\":0." + "2".repeat(1500) + "}");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("body");
        assertThat(r.json().get("errors").findValuesAsString("reason").get(0)).as(r.raw())
                .startsWith("exceeds a parser limit: ").contains("1000").doesNotContain("StreamReadConstraints");
    }

    private static void assertRefused(ApiClient.Response r, String field, String reason) {
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).as(r.raw()).containsExactly(field);
        assertThat(r.json().get("errors").findValuesAsString("reason")).as(r.raw()).containsExactly(reason);
    }
}
