package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAPI document as a client generator reads it. */
class ApiDocumentationTests extends ControlPlaneTest {

    @Test
    void describesAuthenticationAsABearerKeyNotAsAParameter() {
        JsonNode doc = document();

        assertThat(doc.at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
        JsonNode createRole = doc.at("/paths/~1v1~1databases~1{id}~1roles/post/responses");
        assertThat(createRole.has("201")).isTrue();
        assertThat(createRole.has("200")).isFalse();
        assertThat(operations(doc)).allSatisfy(op -> assertThat(op.at("/security/0/bearer").isArray()).isTrue());
        List<String> parameters = new ArrayList<>();
        operations(doc).forEach(op -> op.path("parameters").forEach(p -> parameters.add(p.get("name").asString())));
        assertThat(parameters).isNotEmpty().doesNotContain("caller");
    }

    @Test
    void operationsThatStartWorkAnswer202AndEveryOperationCanAnswerAProblem() {
        JsonNode doc = document();

        for (String[] accepted : new String[][] {{"/v1/databases", "post"}, {"/v1/databases/{id}", "delete"},
                {"/v1/databases/{id}/suspend", "post"}, {"/v1/databases/{id}/resume", "post"},
                {"/v1/databases/{id}/roles/{name}", "delete"}}) {
            JsonNode responses = doc.path("paths").path(accepted[0]).path(accepted[1]).path("responses");
            assertThat(responses.has("202")).as(accepted[1] + " " + accepted[0]).isTrue();
            assertThat(responses.has("200")).as(accepted[1] + " " + accepted[0]).isFalse();
        }
        JsonNode createRole = doc.at("/paths/~1v1~1databases~1{id}~1roles/post/responses");
        assertThat(createRole.has("201")).isTrue();
        assertThat(createRole.has("200")).isFalse();
        assertThat(operations(doc)).allSatisfy(op -> assertThat(
                op.at("/responses/default/content").has("application/problem+json")).isTrue());
        assertThat(doc.at("/components/schemas/Problem/properties/errors/items/properties/field").isMissingNode())
                .isFalse();
    }

    private JsonNode document() {
        var r = api().get(null, "/v3/api-docs");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    private static List<JsonNode> operations(JsonNode doc) {
        List<JsonNode> ops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            path.getValue().properties().forEach(e -> ops.add(e.getValue()));
        }
        return ops;
    }
}
