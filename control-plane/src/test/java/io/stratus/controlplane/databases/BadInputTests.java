package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed request is a 4xx problem naming what is wrong, and creates no row, operation or compute. */
class BadInputTests extends ControlPlaneTest {

    private TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant();
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("quote in name", "{\"name\":\"sh\\\"op\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("SQL in name", "{\"name\":\"x; DROP TABLE tenants; --\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("upper case name", "{\"name\":\"Shop\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("name starts with digit", "{\"name\":\"1shop\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("name too long", "{\"name\":\"" + "a".repeat(64) + "\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("empty name", "{\"name\":\"\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("reserved name", "{\"name\":\"postgres\",\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("missing name", "{\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("minCu below step", "{\"name\":\"shop\",\"minCu\":0,\"maxCu\":1}", 400, "minCu"),
                Arguments.of("negative CU", "{\"name\":\"shop\",\"minCu\":-1,\"maxCu\":1}", 400, "minCu"),
                Arguments.of("off-step CU", "{\"name\":\"shop\",\"minCu\":0.3,\"maxCu\":1}", 400, "minCu"),
                Arguments.of("off-step maxCu", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1.1}", 400, "maxCu"),
                Arguments.of("maxCu above fleet max", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":9}", 400, "maxCu"),
                Arguments.of("minCu > maxCu", "{\"name\":\"shop\",\"minCu\":2,\"maxCu\":1}", 400, "minCu"),
                Arguments.of("missing CU", "{\"name\":\"shop\"}", 400, "minCu"),
                Arguments.of("CU as text", "{\"name\":\"shop\",\"minCu\":\"lots\",\"maxCu\":1}", 400, "minCu"),
                Arguments.of("name as number", "{\"name\":42,\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("name as boolean", "{\"name\":true,\"minCu\":0.25,\"maxCu\":1}", 400, "name"),
                Arguments.of("release as number", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1,\"release\":15}", 400, "release"),
                Arguments.of("CU as object", "{\"name\":\"shop\",\"minCu\":{},\"maxCu\":1}", 400, "minCu"),
                Arguments.of("unknown field", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1,\"superuser\":true}", 400, "superuser"),
                Arguments.of("malformed JSON", "{\"name\":\"shop\",", 400, "body"),
                Arguments.of("array body", "[1,2]", 400, "body"),
                Arguments.of("bad release", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1,\"release\":\"latest\"}", 400, "release"),
                // Releases no node runs and Stratus does not support used to wait unplaced for ever.
                Arguments.of("unsupported major", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1,\"release\":\"99\"}", 400, "release"),
                Arguments.of("minor no node runs", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1,\"release\":\"15.99\"}", 400, "release"),
                Arguments.of("oversized body", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}", 413, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badCreateRequestIsAProblemAndCreatesNothing(String why, String body, int status, String field) {
        long databases = count("databases");
        long operations = count("operations");
        var r = api().post(tenant.adminKey(), "/v1/databases", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.contentType()).contains("application/problem+json");
        if (field != null) {
            assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
        }
        assertThat(count("databases")).isEqualTo(databases);
        assertThat(count("operations")).isEqualTo(operations);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no name            | {}                      | name",
            "name of wrong type | {\"name\":7}             | name",
            "capital letters    | {\"name\":\"Acme\"}        | name",
            "starts with digit  | {\"name\":\"1acme\"}       | name",
            "unknown field      | {\"name\":\"a\",\"x\":1}   | x",
            "name as boolean    | {\"name\":true}          | name"})
    void badTenantIsAProblemNamingTheFieldAndCreatesNothing(String why, String body, String field) {
        long tenants = count("tenants");
        var r = api().post(OPERATOR_KEY, "/v1/tenants", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
        assertThat(count("tenants")).isEqualTo(tenants);
    }

    @Test
    void badApiKeyRequestIsAProblemNamingTheRoleAndIssuesNothing() {
        long keys = count("api_keys");
        for (String body : new String[] {"{}", "{\"role\":\"operator\"}", "{\"role\":\"admin\"}", "{\"role\":null}"}) {
            var r = api().post(tenant.adminKey(), "/v1/tenants/" + tenant.id() + "/api-keys", body);
            assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("role");
        }
        assertThat(count("api_keys")).isEqualTo(keys);
    }

    @Test
    void missingAuthIsA401ProblemAndCreatesNothing() {
        long databases = count("databases");
        var r = api().post(null, "/v1/databases", "{\"name\":\"shop\",\"minCu\":0.25,\"maxCu\":1}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(count("databases")).isEqualTo(databases);
    }

    @Test
    void duplicateNameIsAConflict() {
        createDatabase(tenant, "dup");
        var r = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"dup\",\"minCu\":0.25,\"maxCu\":1}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("errors").findValuesAsString("field")).contains("name");
    }

    @Test
    void quotaOfDatabasesIsEnforced() {
        jdbc.update("update tenants set max_databases = 2 where id = ?::uuid", tenant.id());
        createDatabase(tenant, "q1");
        createDatabase(tenant, "q2");
        long before = count("databases");
        var r = api().post(tenant.adminKey(), "/v1/databases", "{\"name\":\"q3\",\"minCu\":0.25,\"maxCu\":1}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.text("type")).endsWith("quota-exceeded");
        assertThat(r.text("detail")).contains("quota");
        assertThat(count("databases")).isEqualTo(before);
    }

    // A page beyond what an int offset holds was a 500.
    @Test
    void aPageTooFarOutIsAProblemNamingThePage() {
        var r = api().get(tenant.adminKey(), "/v1/databases?page=21474837&size=100");
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("page");
        assertThat(api().get(tenant.adminKey(), "/v1/databases?page=21474836&size=100").status()).isEqualTo(200);
    }

    // Answers may carry a new key or a database password: no cache keeps them, no browser sniffs them into a page.
    @Test
    void answersAreNeitherStoredNorSniffedProblemsIncluded() {
        var created = createDatabase(tenant, "secretive");
        var refused = api().post(null, "/v1/databases", "{}");
        for (var r : List.of(created, refused)) {
            assertThat(r.headers().get("Cache-Control")).as(r.raw()).containsExactly("no-store");
            assertThat(r.headers().get("X-Content-Type-Options")).containsExactly("nosniff");
        }
        // A tenant key's answers say where it stands against its rate limit.
        assertThat(created.headers().get("RateLimit-Limit")).containsExactly("50");
        assertThat(Integer.parseInt(created.headers().get("RateLimit-Remaining").get(0))).isBetween(0, 99);
    }

    @Test
    void malformedIdsAndParametersAreProblemsNotServerErrors() {
        assertThat(api().get(tenant.adminKey(), "/v1/databases/not-a-uuid").status()).isEqualTo(404);
        assertThat(api().get(tenant.adminKey(), "/v1/operations/123").status()).isEqualTo(404);
        var r = api().get(tenant.adminKey(), "/v1/databases?size=1000");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).contains("size");
        assertThat(api().get(tenant.adminKey(), "/v1/databases?page=abc").status()).isEqualTo(400);
        var wrongType = api().send(tenant.adminKey(), "POST", "/v1/databases", "name=shop",
                Map.of("Content-Type", "text/plain"));
        assertThat(wrongType.status()).isEqualTo(415);
    }

    @Test
    void aBodySentToAnEndpointThatTakesNoneIsRefusedAndChangesNothing() {
        String db = createDatabase(tenant, "bodiless").at("/database/id").asString();
        long operations = count("operations");

        var r = api().post(tenant.adminKey(), "/v1/databases/" + db + "/suspend", "{\"force\":true}");

        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("body");
        assertThat(count("operations")).isEqualTo(operations);
        assertThat(jdbc.queryForObject("select running from databases where id = ?::uuid", Boolean.class, db)).isTrue();
        // Nothing, or an empty object, is what such an endpoint takes.
        assertThat(api().post(tenant.adminKey(), "/v1/databases/" + db + "/suspend", "{ }").status()).isEqualTo(202);
        assertThat(api().post(tenant.adminKey(), "/v1/databases/" + db + "/resume", null).status()).isEqualTo(202);
    }

    @Test
    void anOversizedChunkedBodyIsA413AsWithItsLengthStatedAndChangesNothing() throws Exception {
        String db = createDatabase(tenant, "chunky").at("/database/id").asString();
        long databases = count("databases");
        long operations = count("operations");
        String pad = "x".repeat(70_000);

        var create = chunked("/v1/databases", "{\"name\":\"chunkier\",\"minCu\":0.25,\"maxCu\":1,\"pad\":\"" + pad + "\"}");
        var suspend = chunked("/v1/databases/" + db + "/suspend", "{\"pad\":\"" + pad + "\"}");

        for (var r : List.of(create, suspend)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
            assertThat(r.body()).contains("body-too-large");
        }
        assertThat(count("databases")).isEqualTo(databases);
        assertThat(count("operations")).isEqualTo(operations);
    }

    /** A POST without Content-Length: the body streams in chunks, so only reading it finds it too large. */
    private java.net.http.HttpResponse<String> chunked(String path, String body) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + tenant.adminKey())
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .build();
        return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
