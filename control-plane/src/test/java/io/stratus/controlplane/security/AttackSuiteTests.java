package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * Attacks generated from the OpenAPI document, so that a new operation is attacked without anyone remembering to add
 * it (issue #23): every operation without a key, with a node credential, with a read key where it writes, with a
 * tenant key where it is the operator's; and hostile bodies and query values on every operation that takes them. None
 * may answer 5xx, leak a stack trace, or change anything. The counts go to {@code target/attack-suite.txt} and
 * docs/security.md.
 */
class AttackSuiteTests extends ControlPlaneTest {

    private static final String TABLES = "tenants,databases,api_keys,price_plans,database_roles,operations";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping handlers;

    private TestTenant tenant;

    private record Op(String method, String pattern, boolean body, List<String> query, boolean operatorOnly) {
        String path(String tenantId) {
            return pattern.replace("{tenantId}", tenantId).replace("{period}", "2026-01")
                    .replaceAll("\\{[A-Za-z]+}", UUID.randomUUID().toString());
        }

        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    @BeforeEach
    void tenant() {
        tenant = newTenant();
    }

    @Test
    void noKeyAndANodeCredentialAreRefusedWith401OnEveryOperation() {
        var node = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"attack-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.9\",\"zone\":\"z\",\"capacityCu\":1,\"releases\":[],\"frontDoorPort\":6432}");
        String nodeCredential = node.text("credential");
        List<String> failures = new ArrayList<>();
        List<Op> ops = operations();
        for (Op op : ops) {
            for (String key : new String[] {null, nodeCredential, "stk_" + "x".repeat(43)}) {
                var r = api().send(key, op.method(), op.path(tenant.id()), op.body() ? "{}" : null, Map.of());
                if (r.status() != 401 || !r.contentType().contains("application/problem+json")) {
                    failures.add(op + " with " + (key == null ? "no key" : key.substring(0, 4) + "...") + " -> "
                            + r.status());
                }
            }
        }
        report("no key / a node credential / an unknown key -> 401", ops.size(), 3, failures);
        assertThat(failures).isEmpty();
    }

    @Test
    void aTenantKeyIsRefusedOnOperatorOperationsAndAReadKeyChangesNothing() throws Exception {
        Map<String, Long> before = counts();
        List<String> failures = new ArrayList<>();
        List<Op> ops = operations();
        int tried = 0;
        for (Op op : ops) {
            if (op.operatorOnly()) {
                for (String key : List.of(tenant.adminKey(), tenant.readKey())) {
                    tried++;
                    var r = api().send(key, op.method(), op.path(tenant.id()), op.body() ? "{}" : null, Map.of());
                    if (r.status() != 403) {
                        failures.add(op + " with a tenant key -> " + r.status());
                    }
                }
            } else if (!op.method().equals("GET")) {
                tried++;
                var r = api().send(tenant.readKey(), op.method(), op.path(tenant.id()), op.body() ? "{}" : null,
                        Map.of());
                // 404 where the path names something the tenant does not have: checked before the key's role.
                if (r.status() != 403 && r.status() != 404) {
                    failures.add(op + " with a read key -> " + r.status());
                }
            }
        }
        report("tenant key on operator operations, read key on writes -> 403 (or 404)", tried, 1, failures);
        assertThat(failures).isEmpty();
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void hostileBodiesAndQueryValuesAre4xxProblemsNever5xxNorAChange() throws Exception {
        List<Op> ops = operations();
        // A tenant of its own per operation: its attacks stay within one key's burst (100), so what answers them is
        // the endpoint, never the rate limiter.
        List<TestTenant> attackers = ops.stream().map(op -> newTenant()).toList();
        Map<String, Long> before = counts();
        List<String> failures = new ArrayList<>();
        int attempts = 0;
        for (int n = 0; n < ops.size(); n++) {
            Op op = ops.get(n);
            TestTenant attacker = attackers.get(n);
            String key = op.operatorOnly() ? OPERATOR_KEY : attacker.adminKey();
            if (op.pattern().replace("{tenantId}", "").replace("{period}", "").contains("{") && !op.body()) {
                // Ids nothing has, with the right key: a 404, never an error (a plan's delete answered 500 once).
                attempts++;
                Answer a = raw(key, op.method(), op.path(attacker.id()), null);
                if (a.status() != 404 || !a.contentType().contains("application/problem+json")) {
                    failures.add(op + " with unknown ids -> " + a.status() + " " + abbreviate(a.body()));
                }
            }
            if (op.body()) {
                for (var attack : bodies().entrySet()) {
                    attempts++;
                    check(failures, op + " body " + attack.getKey(),
                            raw(key, op.method(), op.path(attacker.id()), attack.getValue()), true);
                }
            }
            for (String param : op.query()) {
                for (String value : queryValues()) {
                    attempts++;
                    String path = op.path(attacker.id()) + "?" + param + "="
                            + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
                    check(failures, op + " ?" + param + "=" + abbreviate(value),
                            raw(key, op.method(), path, op.body() ? new Body("application/json", "{}".getBytes()) : null),
                            false);
                }
            }
        }
        report("unknown ids -> 404; hostile bodies and query values -> 4xx problem, never 5xx, nothing changed", attempts,
                1, failures);
        assertThat(failures).isEmpty();
        assertThat(counts()).as("nothing was created or changed").isEqualTo(before);
    }

    private record Body(String contentType, byte[] bytes) {
    }

    private static Map<String, Body> bodies() {
        Map<String, Body> b = new LinkedHashMap<>();
        b.put("quotes and semicolons", json("{\"name\":\"x'; drop table tenants; --\",\"role\":\"' or 1=1 --\"}"));
        b.put("dollar quoting", json("{\"name\":\"$$; select 1; $$\",\"release\":\"$$\"}"));
        b.put("NUL byte", json("{\"name\":\"a\\u0000b\",\"role\":\"tenant-admin\\u0000\"}"));
        b.put("unicode look-alike", json("{\"n\u0430me\":\"shop\",\"name\":\"\u0455hop\"}"));
        b.put("10 MB string", json("{\"name\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}"));
        b.put("10000-deep JSON", json("[".repeat(10_000) + "]".repeat(10_000)));
        b.put("invalid UTF-8", new Body("application/json", new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3,
                (byte) 0x28, (byte) 0xFF, '"', '}'}));
        b.put("wrong content type", new Body("text/plain", "name=shop".getBytes(StandardCharsets.UTF_8)));
        b.put("XML", new Body("application/xml", "<name>shop</name>".getBytes(StandardCharsets.UTF_8)));
        b.put("duplicate keys", json("{\"name\":\"a\",\"name\":\"b\",\"minCu\":1,\"minCu\":2}"));
        b.put("numbers for strings", json("{\"name\":2026,\"role\":true,\"release\":15}"));
        b.put("huge numbers", json("{\"minCu\":1e400,\"maxCu\":-1e400,\"databases\":99999999999999999999}"));
        b.put("an array", json("[{\"name\":\"shop\"}]"));
        b.put("null", json("null"));
        b.put("truncated", json("{\"name\":\"sh"));
        return b;
    }

    private static List<String> queryValues() {
        return List.of("'", "; drop table tenants", "$$", "\u0000", "x".repeat(10_000), "-1", "99999999999999999999",
                "2026-13-45T99:99:99Z", "../../etc/passwd");
    }

    private static Body json(String s) {
        return new Body("application/json", s.getBytes(StandardCharsets.UTF_8));
    }

    private record Answer(int status, String contentType, String body) {
    }

    private Answer raw(String key, String method, String path, Body body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key);
        if (body != null) {
            b.header("Content-Type", body.contentType()).method(method, HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (java.io.IOException e) {
            // A connection closed on a refused body (ADR 0014) is a refusal too, but must not be the only answer.
            return new Answer(-1, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void check(List<String> failures, String what, Answer a, boolean bodyAttack) {
        boolean problem = a.contentType().contains("application/problem+json");
        boolean leak = a.body().contains("Exception") || a.body().contains("\tat ") || a.body().contains("at io.stratus");
        // 10 MB refused by its Content-Length: the answer (413) may arrive while the client still writes, and the
        // connection closes under it (ADR 0014); a cut-off send is that refusal, not a failure.
        boolean cutOff = a.status() < 0 && what.contains("10 MB");
        if (cutOff) {
            return;
        }
        if (a.status() >= 500 || a.status() < 0 || leak) {
            failures.add(what + " -> " + a.status() + " " + abbreviate(a.body()));
        } else if (a.status() >= 400 && !problem) {
            failures.add(what + " -> " + a.status() + " not a problem: " + a.contentType());
        } else if (bodyAttack && a.status() < 400) {
            failures.add(what + " -> accepted " + a.status());
        }
    }

    /** The public API's operations, from the OpenAPI document; whether each is the operator's, from its handler. */
    private List<Op> operations() {
        JsonNode doc = api().get(OPERATOR_KEY, "/v3/api-docs").json();
        Map<String, Boolean> operatorOnly = new LinkedHashMap<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : handlers.getHandlerMethods().entrySet()) {
            boolean op = e.getValue().hasMethodAnnotation(OperatorOnly.class);
            for (String pattern : e.getKey().getPatternValues()) {
                for (var m : e.getKey().getMethodsCondition().getMethods()) {
                    operatorOnly.put(m.name() + " " + pattern, op || pattern.startsWith("/v1/admin/"));
                }
            }
        }
        List<Op> ops = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(m -> {
            String method = m.getKey().toUpperCase(java.util.Locale.ROOT);
            if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                return;
            }
            List<String> query = new ArrayList<>();
            m.getValue().path("parameters").forEach(p -> {
                if ("query".equals(p.path("in").asString())) {
                    query.add(p.path("name").asString());
                }
            });
            ops.add(new Op(method, path.getKey(), m.getValue().has("requestBody"), query,
                    operatorOnly.getOrDefault(method + " " + path.getKey(), false)));
        }));
        assertThat(ops).as("operations in the OpenAPI document").hasSizeGreaterThan(30);
        return ops;
    }

    private Map<String, Long> counts() {
        Map<String, Long> c = new LinkedHashMap<>();
        for (String table : TABLES.split(",")) {
            c.put(table, count(table));
        }
        return c;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static void report(String what, int operations, int attacks, List<String> failures) {
        String line = String.format("%s: %d attempts, %d failures%n", what, operations * attacks, failures.size());
        System.out.print(line);
        try {
            Path out = Path.of("target", "attack-suite.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, line, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
