package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ProblemsTests {

    // A detail quoting what a client sent (a field name, a header) may hold anything: quotes, backslashes, newlines,
    // other control characters. The body stays one valid JSON object that says it back exactly.
    @Test
    void aDetailWithAnyCharacterIsWrittenAsValidJson() {
        String detail = "unknown field \"na\\me\u0001\n\t\u001f\" \u2028 ok";

        JsonNode body = JsonMapper.builder().build().readTree(Problems.json(400, "invalid-request", "Bad request", detail));

        assertThat(body.get("detail").asString()).isEqualTo(detail);
        assertThat(body.get("type").asString()).isEqualTo("https://stratus.dev/problems/invalid-request");
        assertThat(body.get("title").asString()).isEqualTo("Bad request");
        assertThat(body.get("status").asInt()).isEqualTo(400);
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("type", "title", "status", "detail");
    }
}
