package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.stratus.controlplane.ControlPlaneTest;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.media.Schema;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document ({@code /v3/api-docs}) is a contract tools can trust: Redocly's {@code recommended} rules pass
 * with no error and no warning, and every operation has a summary, a description, its errors as RFC 9457 problems and
 * its security scheme. The document is left in {@code target/openapi.json}.
 */
class ApiContractTests extends ControlPlaneTest {

    /**
     * Pinned. The 1.34 line supports the Node.js 18 that Debian 12 installs (CI: {@code .ci/run}); 2.x asks for Node
     * 20.19 or later.
     */
    static final String REDOCLY = "@redocly/cli@1.34.20";
    private static final int[] MIN_NODE = {18, 17};
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping handlers;

    @Test
    void passesRedoclysRecommendedRulesWithNoErrorsAndNoWarnings() throws Exception {
        Path file = Path.of("target", "openapi.json").toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document()));

        requireNode();
        Path out = Files.createTempFile("redocly", ".json");
        Path err = Files.createTempFile("redocly", ".log");
        int exit = run(List.of("npx", "--yes", REDOCLY, "lint", "--extends=recommended", "--format=json",
                file.toString()), out, err, 600);
        String report = Files.readString(out);
        String log = Files.readString(err);
        JsonNode result;
        try {
            result = JSON.readTree(report);
        } catch (RuntimeException e) {
            throw new AssertionError("Redocly (" + REDOCLY + ") exited " + exit + " without a JSON report:\n" + report
                    + "\n" + log, e);
        }
        List<String> problems = new ArrayList<>();
        result.path("problems").forEach(p -> problems.add(p.path("severity").asString() + " "
                + p.path("ruleId").asString() + " at " + p.at("/location/0/pointer").asString() + ": "
                + p.path("message").asString()));
        assertThat(problems).as("Redocly %s lint --extends=recommended %s (exit %d)\n%s", REDOCLY, file, exit, log)
                .isEmpty();
        assertThat(result.at("/totals/errors").asInt()).isZero();
        assertThat(result.at("/totals/warnings").asInt()).isZero();
        assertThat(exit).as(log).isZero();
    }

    @Test
    void everyOperationHasASummaryADescriptionItsErrorsAsProblemsAndItsSecurityScheme() {
        JsonNode doc = document();
        Map<String, JsonNode> operations = operations(doc);
        assertThat(operations).hasSizeGreaterThan(30);
        Set<String> operationIds = new HashSet<>();
        operations.forEach((name, op) -> {
            assertThat(op.path("summary").asString("")).as(name + " summary").isNotBlank();
            assertThat(op.path("description").asString("")).as(name + " description").isNotBlank()
                    .isNotEqualTo(op.path("summary").asString());
            // springdoc's fallback for a handler without its own id is its method name, numbered when taken.
            assertThat(op.path("operationId").asString("")).as(name + " operationId").matches("[a-z][A-Za-z]+");
            assertThat(operationIds.add(op.path("operationId").asString())).as(name + " operationId unique").isTrue();
            assertThat(op.path("tags").size()).as(name + " tags").isEqualTo(1);
            assertThat(op.at("/security/0/bearer").isArray()).as(name + " security").isTrue();

            List<String> successes = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            op.path("responses").properties().forEach(r -> {
                if (r.getKey().matches("2\\d\\d")) {
                    successes.add(r.getKey());
                    assertThat(r.getKey().equals("204")
                            || r.getValue().at("/content/application~1json/schema").isObject())
                            .as(name + " " + r.getKey() + " has a JSON body").isTrue();
                }
                if (r.getKey().matches("[45]\\d\\d")) {
                    errors.add(r.getKey());
                    assertThat(r.getValue().path("description").asString("")).as(name + " " + r.getKey()).isNotBlank();
                    assertThat(r.getValue().at("/content/application~1problem+json/schema/$ref").asString(""))
                            .as(name + " " + r.getKey() + " is a problem").isEqualTo("#/components/schemas/Problem");
                }
            });
            // springdoc leaves out the success of a handler with @ApiResponses unless it is declared too.
            assertThat(successes).as(name + " success").hasSize(1);
            assertThat(errors).as(name + " errors").contains("401", "429", "500");
            if (name.contains("{")) {
                assertThat(errors).as(name + " names something").contains("404");
            }
            if (!name.startsWith("get ")) {
                assertThat(errors).as(name + " reads a body").contains("400", "413");
            }
            if (name.contains(" /v1/admin/")) {
                assertThat(errors).as(name + " is the operator's").contains("403");
            }
            if (op.has("requestBody")) {
                assertThat(errors).as(name + " takes a body").contains("413", "415");
                assertThat(op.at("/requestBody/content/application~1json/example").isMissingNode())
                        .as(name + " request example").isFalse();
            }
        });
    }

    @Test
    void documentsThePublicApiOnlyNotTheAgentProtocol() {
        assertThat(document().path("paths").propertyNames()).isNotEmpty().allMatch(p -> p.startsWith("/v1/"));
    }

    /**
     * springdoc names a schema after its class's simple name: two types of one name would be documented as one (an
     * audit page as a page of databases). Every type an operation takes or answers has a name of its own.
     */
    @Test
    void noTwoTypesOfTheApiShareASchemaName() {
        Map<String, Set<String>> classesByName = new TreeMap<>();
        Set<Class<?>> seen = new HashSet<>();
        handlers.getHandlerMethods().values().stream()
                .filter(h -> !h.getBeanType().isAnnotationPresent(Hidden.class))
                .forEach(h -> {
                    collect(ResolvableType.forMethodReturnType(h.getMethod()), classesByName, seen);
                    for (MethodParameter p : h.getMethodParameters()) {
                        if (p.hasParameterAnnotation(RequestBody.class)) {
                            collect(ResolvableType.forMethodParameter(p), classesByName, seen);
                        }
                    }
                });
        assertThat(classesByName).isNotEmpty();
        classesByName.forEach((name, classes) -> assertThat(classes).as("schema " + name).hasSize(1));
    }

    private static void collect(ResolvableType type, Map<String, Set<String>> classesByName, Set<Class<?>> seen) {
        for (ResolvableType generic : type.getGenerics()) {
            collect(generic, classesByName, seen);
        }
        if (type.isArray()) {
            collect(type.getComponentType(), classesByName, seen);
        }
        Class<?> c = type.resolve();
        if (c == null || !c.getName().startsWith("io.stratus.") || !seen.add(c)) {
            return;
        }
        Schema schema = c.getAnnotation(Schema.class);
        String name = schema != null && !schema.name().isEmpty() ? schema.name() : c.getSimpleName();
        classesByName.computeIfAbsent(name, n -> new TreeSet<>()).add(c.getName());
        if (c.isRecord()) {
            for (RecordComponent component : c.getRecordComponents()) {
                collect(ResolvableType.forType(component.getGenericType()), classesByName, seen);
            }
        } else if (!c.isEnum()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    collect(ResolvableType.forField(f), classesByName, seen);
                }
            }
        }
    }

    private JsonNode document() {
        var r = api().get(null, "/v3/api-docs");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    /** "get /v1/databases/{id}" to the operation. */
    private static Map<String, JsonNode> operations(JsonNode doc) {
        Map<String, JsonNode> ops = new TreeMap<>();
        doc.path("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(op -> ops.put(op.getKey() + " " + path.getKey(), op.getValue())));
        return ops;
    }

    /** Redocly runs on Node.js: a machine without it fails here, saying so, rather than skipping the lint. */
    private static void requireNode() throws Exception {
        Path out = Files.createTempFile("node", ".txt");
        int exit;
        try {
            exit = run(List.of("node", "--version"), out, out, 30);
        } catch (IOException e) {
            throw new AssertionError("The OpenAPI lint runs Redocly CLI (" + REDOCLY + ") with npx: install Node.js "
                    + MIN_NODE[0] + "." + MIN_NODE[1] + " or later and npm (Debian: apt-get install nodejs npm; "
                    + ".ci/run does)", e);
        }
        String version = Files.readString(out).trim();
        String[] parts = version.replaceFirst("^v", "").split("\\.");
        boolean recentEnough = exit == 0 && parts.length >= 2 && (Integer.parseInt(parts[0]) > MIN_NODE[0]
                || Integer.parseInt(parts[0]) == MIN_NODE[0] && Integer.parseInt(parts[1]) >= MIN_NODE[1]);
        if (!recentEnough) {
            fail("Redocly CLI (" + REDOCLY + ") needs Node.js " + MIN_NODE[0] + "." + MIN_NODE[1] + " or later; node "
                    + "--version says: " + version);
        }
    }

    private static int run(List<String> command, Path out, Path err, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile());
        if (out.equals(err)) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err.toFile());
        }
        // No telemetry and no update notices from Redocly or npm: the build's output is the lint's.
        pb.environment().put("REDOCLY_TELEMETRY", "off");
        pb.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        pb.environment().put("NPM_CONFIG_UPDATE_NOTIFIER", "false");
        Process process = pb.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s:\n"
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        return process.exitValue();
    }
}
