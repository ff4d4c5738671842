package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.testing.ApiClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every secret a whole stack hands out (API keys, a rotated key, database and role passwords, the operator key and
 * the agents' bootstrap token) stays where it belongs: not in the control plane's or the agent's log, not in billing
 * exports, not in audit events, not in any problem body (issue #23, "secrets out of logs").
 */
class SecretsStayOutEndToEndTests {

    @Test
    void noSecretTheStackHandedOutIsInItsLogsExportsAuditEventsOrProblems() throws Exception {
        try (StratusProcesses stratus = new StratusProcesses()) {
            stratus.start();
            ApiClient api = stratus.api();
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("operator key", StratusProcesses.OPERATOR_KEY);
            secrets.put("bootstrap token", StratusProcesses.BOOTSTRAP);
            List<String> problems = new ArrayList<>();

            var tenant = api.post(StratusProcesses.OPERATOR_KEY, "/v1/tenants", ApiClient.json("name", "keeper"));
            String tenantId = tenant.text("id");
            var admin = api.post(StratusProcesses.OPERATOR_KEY, "/v1/tenants/" + tenantId + "/api-keys",
                    ApiClient.json("role", "tenant-admin"));
            var read = api.post(StratusProcesses.OPERATOR_KEY, "/v1/tenants/" + tenantId + "/api-keys",
                    ApiClient.json("role", "tenant-read"));
            secrets.put("admin key", admin.text("key"));
            secrets.put("read key", read.text("key"));
            var rotated = api.post(admin.text("key"), "/v1/tenants/" + tenantId + "/api-keys/" + read.text("id")
                    + "/rotate", "{\"graceSeconds\":0}");
            assertThat(rotated.status()).as(rotated.raw()).isEqualTo(201);
            secrets.put("rotated key", rotated.text("key"));
            String key = admin.text("key");

            var db = api.post(key, "/v1/databases", ApiClient.json("name", "vault", "minCu", 0.25, "maxCu", 1));
            assertThat(db.status()).as(db.raw()).isEqualTo(202);
            String dbId = db.at("/database/id").asString();
            secrets.put("owner password", db.at("/connection/password").asString());
            assertThat(E2e.awaitOperation(api, new E2e.Tenant(tenantId, key), db.at("/operation/id").asString(),
                    Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
            var reset = api.post(key, "/v1/databases/" + dbId + "/reset-password", "{}");
            assertThat(reset.status()).as(reset.raw()).isIn(200, 202);
            secrets.put("reset password", reset.text("password"));
            var role = api.post(key, "/v1/databases/" + dbId + "/roles",
                    ApiClient.json("name", "reporting", "readOnly", true));
            assertThat(role.status()).as(role.raw()).isIn(201, 202);
            secrets.put("role password", role.text("password"));
            try (Connection c = E2e.connect(reset.at("/connection/uri").asString())) {
                assertThat(c.isValid(5)).isTrue();
            }

            // Refusals that carry a secret in what the client sent: the problem never echoes it.
            problems.add(api.get(rotated.text("key") + "x", "/v1/databases").raw());
            problems.add(api.get(read.text("key"), "/v1/databases").raw()); // rotated away with no grace: 401
            problems.add(api.post(key, "/v1/databases", ApiClient.json("name", "vault", "minCu", 0.25, "maxCu", 1)).raw());
            problems.add(api.post(key, "/v1/databases/" + dbId + "/roles",
                    ApiClient.json("name", "reporting", "readOnly", true)).raw());
            problems.add(api.post(StratusProcesses.BOOTSTRAP, "/v1/tenants", ApiClient.json("name", "x")).raw());

            String day = LocalDate.now(ZoneOffset.UTC).minusDays(2).toString();
            var export = api.post(StratusProcesses.OPERATOR_KEY, "/v1/admin/billing-exports",
                    ApiClient.json("period", day));
            assertThat(export.status()).as(export.raw()).isEqualTo(200);
            String audit = api.get(StratusProcesses.OPERATOR_KEY, "/v1/audit-events?size=100").raw();
            assertThat(audit).contains("reset-password");

            Map<String, String> places = new LinkedHashMap<>();
            for (Path log : stratus.logFiles()) {
                places.put("log " + log.getFileName(), Files.readString(log, StandardCharsets.UTF_8));
            }
            assertThat(places).as("the control plane's and the agent's logs").hasSizeGreaterThanOrEqualTo(2);
            try (Stream<Path> files = Files.walk(stratus.dir().resolve("control-plane"))) {
                for (Path f : files.filter(f -> f.toString().contains("export") && Files.isRegularFile(f)).toList()) {
                    places.put("export " + f.getFileName(), Files.readString(f, StandardCharsets.UTF_8));
                }
            }
            assertThat(places.keySet()).as("the export's files").anyMatch(k -> k.startsWith("export manifest"));
            places.put("audit events", audit);
            for (int i = 0; i < problems.size(); i++) {
                places.put("problem " + i, problems.get(i));
            }
            for (var place : places.entrySet()) {
                for (var secret : secrets.entrySet()) {
                    assertThat(place.getValue()).as(secret.getKey() + " in " + place.getKey())
                            .doesNotContain(secret.getValue());
                }
            }
        }
    }
}
