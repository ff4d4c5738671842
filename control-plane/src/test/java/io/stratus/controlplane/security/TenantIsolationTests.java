package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** Tenant B, holding every id of tenant A, can neither see nor change anything of A's: always 404, never 403. */
class TenantIsolationTests extends ControlPlaneTest {

    /** Operator-only endpoints outside /v1/admin/ (every /v1/admin/ one is operator-only too). */
    private static final Set<String> OPERATOR_ONLY_OUTSIDE_ADMIN = Set.of("POST /v1/tenants", "PUT /v1/tenants/{tenantId}/plan");
    /** "METHOD pattern" of every endpoint the test below tried with another tenant's ids. */
    private static final Set<String> tried = ConcurrentHashMap.newKeySet();

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    private record Call(String method, String pattern, String path, String body) {
        String endpoint() {
            return method + " " + pattern;
        }
    }

    @Test
    void otherTenantsIdsAreNotFoundOnEveryEndpointAndNothingChanges() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        var created = createDatabase(a, "orders");
        String db = created.at("/database/id").asString();
        String op = created.at("/operation/id").asString();
        String aKeyId = api().get(a.adminKey(), "/v1/tenants/" + a.id() + "/api-keys").json().get(0).get("id").asString();
        assertThat(api().post(a.adminKey(), "/v1/databases/" + db + "/roles", ApiClient.json("name", "reporting",
                "readOnly", true)).status()).isEqualTo(201);
        long roles = count("database_roles");
        long databases = count("databases");
        long operations = count("operations");
        long keys = count("api_keys");
        assertThat(api().send(a.adminKey(), "PUT", "/v1/databases/" + db + "/maintenance-window",
                "{\"dayOfWeek\":\"SUN\",\"start\":\"02:00\",\"durationMinutes\":120}", Map.of()).status())
                .isEqualTo(200);

        String range = "?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&granularity=hour";
        List<Call> calls = List.of(
                new Call("GET", "/v1/databases/{id}", "/v1/databases/" + db, null),
                new Call("DELETE", "/v1/databases/{id}", "/v1/databases/" + db, null),
                new Call("POST", "/v1/databases/{id}/reset-password", "/v1/databases/" + db + "/reset-password", null),
                new Call("PATCH", "/v1/databases/{id}", "/v1/databases/" + db, "{\"maxCu\":1}"),
                new Call("POST", "/v1/databases/{id}/suspend", "/v1/databases/" + db + "/suspend", null),
                new Call("POST", "/v1/databases/{id}/resume", "/v1/databases/" + db + "/resume", null),
                new Call("GET", "/v1/databases/{id}/roles", "/v1/databases/" + db + "/roles", null),
                new Call("POST", "/v1/databases/{id}/roles", "/v1/databases/" + db + "/roles",
                        ApiClient.json("name", "intruder", "readOnly", false)),
                new Call("DELETE", "/v1/databases/{id}/roles/{name}", "/v1/databases/" + db + "/roles/reporting", null),
                new Call("GET", "/v1/databases/{id}/scaling-events", "/v1/databases/" + db + "/scaling-events", null),
                new Call("GET", "/v1/databases/{id}/metrics", "/v1/databases/" + db + "/metrics", null),
                new Call("GET", "/v1/databases/{id}/usage", "/v1/databases/" + db + "/usage" + range, null),
                new Call("GET", "/v1/databases/{id}/maintenance-window", "/v1/databases/" + db + "/maintenance-window",
                        null),
                new Call("PUT", "/v1/databases/{id}/maintenance-window", "/v1/databases/" + db + "/maintenance-window",
                        "{\"dayOfWeek\":\"MON\",\"start\":\"05:00\",\"durationMinutes\":30}"),
                new Call("DELETE", "/v1/databases/{id}/maintenance-window",
                        "/v1/databases/" + db + "/maintenance-window", null),
                new Call("GET", "/v1/operations/{id}", "/v1/operations/" + op, null),
                new Call("GET", "/v1/tenants/{tenantId}", "/v1/tenants/" + a.id(), null),
                new Call("GET", "/v1/tenants/{id}/usage", "/v1/tenants/" + a.id() + "/usage" + range, null),
                new Call("GET", "/v1/tenants/{tenantId}/invoices", "/v1/tenants/" + a.id() + "/invoices", null),
                new Call("GET", "/v1/tenants/{tenantId}/invoices/{period}", "/v1/tenants/" + a.id() + "/invoices/2026-01", null),
                new Call("GET", "/v1/tenants/{tenantId}/plan", "/v1/tenants/" + a.id() + "/plan", null),
                new Call("GET", "/v1/tenants/{tenantId}/api-keys", "/v1/tenants/" + a.id() + "/api-keys", null),
                new Call("POST", "/v1/tenants/{tenantId}/api-keys", "/v1/tenants/" + a.id() + "/api-keys",
                        ApiClient.json("role", "tenant-admin")),
                new Call("POST", "/v1/tenants/{tenantId}/api-keys/{keyId}/rotate",
                        "/v1/tenants/" + a.id() + "/api-keys/" + aKeyId + "/rotate", ApiClient.json("graceSeconds", 0)),
                new Call("DELETE", "/v1/tenants/{tenantId}/api-keys/{keyId}", "/v1/tenants/" + a.id() + "/api-keys/" + aKeyId,
                        null),
                // Backups (BackupApiTests tries these with a backup of another tenant's that exists).
                new Call("GET", "/v1/databases/{id}/backup-policy", "/v1/databases/" + db + "/backup-policy", null),
                new Call("PUT", "/v1/databases/{id}/backup-policy", "/v1/databases/" + db + "/backup-policy",
                        ApiClient.json("schedule", "0 3 * * *", "retentionDays", 7)),
                new Call("DELETE", "/v1/databases/{id}/backup-policy", "/v1/databases/" + db + "/backup-policy", null),
                new Call("POST", "/v1/databases/{id}/backups", "/v1/databases/" + db + "/backups", null),
                new Call("GET", "/v1/databases/{id}/backups", "/v1/databases/" + db + "/backups", null),
                new Call("GET", "/v1/databases/{id}/recovery-window", "/v1/databases/" + db + "/recovery-window", null),
                new Call("POST", "/v1/databases/{id}/restore", "/v1/databases/" + db + "/restore",
                        ApiClient.json("pointInTime", "2026-01-01T00:00:00Z", "newDatabaseName", "intruder")),
                new Call("GET", "/v1/backups/{id}", "/v1/backups/" + UUID.randomUUID(), null));
        tried.addAll(calls.stream().map(Call::endpoint).toList());
        for (String key : List.of(b.adminKey(), b.readKey())) {
            for (Call c : calls) {
                var r = api().send(key, c.method(), c.path(), c.body(), Map.of());
                assertThat(r.status()).as(c.method() + " " + c.path() + " -> " + r.raw()).isEqualTo(404);
                assertThat(r.contentType()).contains("application/problem+json");
            }
        }
        assertThat(count("databases")).isEqualTo(databases);
        assertThat(count("database_roles")).isEqualTo(roles);
        assertThat(count("operations")).isEqualTo(operations);
        assertThat(count("api_keys")).isEqualTo(keys);
        assertThat(api().get(a.adminKey(), "/v1/databases/" + db).status()).isEqualTo(200);
        assertThat(api().get(a.readKey(), "/v1/databases/" + db + "/maintenance-window").text("dayOfWeek"))
                .as("another tenant's PUT and DELETE changed nothing").isEqualTo("SUN");
        assertThat(api().get(a.adminKey(), "/v1/tenants/" + a.id() + "/api-keys").json().get(0).get("revokedAt").isNull()).isTrue();
        assertThat(api().get(a.adminKey(), "/v1/tenants/" + a.id() + "/api-keys").json().get(0).get("expiresAt").isNull())
                .as("another tenant's rotation did not put an end to the key").isTrue();
    }

    @Test
    void operatorEndpointsRefuseTenantKeysWhateverTheIds() {
        TestTenant a = newTenant();
        long tenants = count("tenants");
        long plans = count("price_plans");
        Map<String, HandlerMethod> endpoints = endpoints();
        Set<String> operatorOnly = operatorOnly(endpoints);
        assertThat(operatorOnly).containsAll(OPERATOR_ONLY_OUTSIDE_ADMIN);
        assertThat(operatorOnly).as("every /v1/admin/ endpoint is @OperatorOnly")
                .containsAll(endpoints.keySet().stream().filter(e -> e.contains(" /v1/admin/")).toList());
        for (String endpoint : operatorOnly) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String pattern = endpoint.substring(endpoint.indexOf(' ') + 1);
            // Every path variable filled with one of tenant A's own ids, or a plausible period or plan.
            String path = pattern.replace("{tenantId}", a.id()).replaceAll("\\{period}", "2026-01")
                    .replaceAll("\\{[A-Za-z]+}", UUID.randomUUID().toString());
            // A body the endpoint would refuse: the caller is refused first, before the body is read.
            String body = method.equals("GET") || method.equals("DELETE") ? null : "{\"unexpected\": true}";
            for (String key : List.of(a.adminKey(), a.readKey())) {
                var r = api().send(key, method, path, body, Map.of());
                assertThat(r.status()).as(method + " " + path + " -> " + r.raw()).isEqualTo(403);
                assertThat(r.contentType()).contains("application/problem+json");
            }
        }
        assertThat(count("tenants")).isEqualTo(tenants);
        assertThat(count("price_plans")).isEqualTo(plans);
    }

    @Test
    void everyEndpointTakingAnIdIsTriedWithAnotherTenantsIds() {
        otherTenantsIdsAreNotFoundOnEveryEndpointAndNothingChanges();
        Set<String> withIds = new TreeSet<>();
        Map<String, HandlerMethod> endpoints = endpoints();
        Set<String> operatorOnly = operatorOnly(endpoints);
        for (String endpoint : endpoints.keySet()) {
            String pattern = endpoint.substring(endpoint.indexOf(' ') + 1);
            if (pattern.contains("{") && !operatorOnly.contains(endpoint)) {
                withIds.add(endpoint);
            }
        }
        // A new endpoint that takes an id must be added to the calls above (or be operator-only).
        assertThat(tried).containsAll(withIds);
    }

    /** "METHOD pattern" of every /v1 endpoint the control plane serves, with its handler. */
    private Map<String, HandlerMethod> endpoints() {
        Map<String, HandlerMethod> all = new TreeMap<>();
        mappings.getHandlerMethods().forEach((info, handler) -> {
            for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith("/v1/")) {
                    info.getMethodsCondition().getMethods().forEach(m -> all.put(m.name() + " " + pattern, handler));
                }
            }
        });
        assertThat(all).as("the mappings were read").hasSizeGreaterThan(20);
        return all;
    }

    /** Those of {@code endpoints} marked {@link OperatorOnly}, on the method or its controller. */
    private static Set<String> operatorOnly(Map<String, HandlerMethod> endpoints) {
        Set<String> marked = new TreeSet<>();
        endpoints.forEach((endpoint, handler) -> {
            if (OperatorOnlyInterceptor.isOperatorOnly(handler)) {
                marked.add(endpoint);
            }
        });
        return marked;
    }

    @Test
    void listingShowsOnlyTheCallersDatabases() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        createDatabase(a, "alpha");
        createDatabase(b, "beta");
        var list = api().get(b.readKey(), "/v1/databases");
        assertThat(list.json().get("items")).hasSize(1);
        assertThat(list.json().get("items").get(0).get("name").asString()).isEqualTo("beta");
        assertThat(api().get(b.adminKey(), "/v1/tenants").json()).hasSize(1);
    }

    @Test
    void readOnlyKeyCannotChangeItsOwnTenantsDatabases() {
        TestTenant a = newTenant();
        String db = createDatabase(a, "ledger").at("/database/id").asString();
        assertThat(api().delete(a.readKey(), "/v1/databases/" + db).status()).isEqualTo(403);
        assertThat(api().post(a.readKey(), "/v1/databases", ApiClient.json("name", "x1", "minCu", 0.25, "maxCu", 1)).status())
                .isEqualTo(403);
        assertThat(api().post(a.readKey(), "/v1/databases/" + db + "/reset-password", null).status()).isEqualTo(403);
        assertThat(api().get(a.readKey(), "/v1/databases/" + db).text("state")).isEqualTo("PROVISIONING");
    }
}
