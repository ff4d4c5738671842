package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.postgres.PostgresCluster;
import io.stratus.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The README's first command: {@code ./stratus up} with no configuration runs the control plane with its embedded
 * metadata PostgreSQL and one local agent; a database can be created and used; stopping it leaves no Postgres behind.
 */
class StratusUpTests {

    @Test
    void stratusUpServesDatabasesAndStopsEverythingItStarted() throws Exception {
        Path dataDir = Path.of("/tmp", "stratus-up-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(dataDir);
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = PostgresCluster.freePort();
        int frontDoor = PostgresCluster.freePort();
        Path log = Path.of("target", "e2e-logs", "stratus-up.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("stratus.repoRoot"), "stratus").toString(), "up")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("STRATUS_DATA_DIR", dataDir.toString());
        pb.environment().put("STRATUS_HTTP_PORT", String.valueOf(port));
        pb.environment().put("STRATUS_FRONT_DOOR_PORT", String.valueOf(frontDoor));
        Process up = pb.start();
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            Path keyFile = dataDir.resolve("operator.key");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(keyFile)
                    && api.get(Files.readString(keyFile).trim(), "/v1/admin/nodes").json() != null
                    && api.get(Files.readString(keyFile).trim(), "/v1/admin/nodes").json().size() == 1);
            assertThat(Files.readString(log)).contains("http://127.0.0.1:" + port + "/swagger-ui.html").contains(keyFile.toString())
                    .contains("Console      http://127.0.0.1:" + port + "/console");
            // The console the operator is pointed at answers with its sign-in page.
            assertThat(api.send(null, "GET", "/console/login", null, java.util.Map.of()).raw()).contains("Sign in");
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String operatorKey = Files.readString(keyFile).trim();
            // The new key is shown once, by ./stratus up on its terminal; the control plane's log never carries it.
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("Stratus is up."));
            List<String> withKey = Files.readAllLines(log).stream().filter(l -> l.contains(operatorKey)).toList();
            assertThat(withKey).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("    Operator key " + operatorKey));
            var t = api.post(operatorKey, "/v1/tenants", ApiClient.json("name", "local"));
            var k = api.post(operatorKey, "/v1/tenants/" + t.text("id") + "/api-keys", ApiClient.json("role", "tenant-admin"));
            E2e.Tenant tenant = new E2e.Tenant(t.text("id"), k.text("key"));
            var db = E2e.create(api, tenant, "local_app");
            assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
            assertThat(Files.readString(log)).contains("Postgres     127.0.0.1:" + frontDoor);
            assertThat(db.uri()).contains("@127.0.0.1:" + frontDoor + "/local_app.");
            // The front door offers TLS with the certificate ./stratus up made.
            try (Connection c = E2e.connect(db.uri() + "?sslmode=require")) {
                assertThat(c.isValid(2)).isTrue();
            }
            assertThat(dataDir.resolve("tls").resolve("front-door.crt")).exists();
            assertThat(postgresUnder(dataDir)).isNotEmpty();

            // Both killed at once: the supervisor starts both again (it once restarted only the one `wait -n` named),
            // and the new agent adopts the running compute.
            List<ProcessHandle> javas = up.descendants().filter(StratusUpTests::stratusJava).toList();
            assertThat(javas).hasSize(2);
            java.time.Instant killed = java.time.Instant.now();
            javas.forEach(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    up.descendants().filter(StratusUpTests::stratusJava).filter(p -> !javas.contains(p)).count() == 2
                            && heartbeatAfter(api, operatorKey, killed));
            // The new agent heartbeats before its front door listens (it opens once the computes are adopted): wait
            // for the database to answer again, as a client retrying would.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                try (Connection c = E2e.connect(db.uri())) {
                    return c.isValid(2);
                }
            });
            assertThat(up.isAlive()).isTrue();
        } finally {
            up.destroy(); // SIGTERM, as Ctrl-C's trap handles INT the same way
            up.waitFor();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> postgresUnder(dataDir).isEmpty());
        PostgresCluster.deleteRecursively(dataDir);
    }

    private static boolean stratusJava(ProcessHandle p) {
        return p.isAlive() && p.info().commandLine().map(c -> c.contains("-exec.jar")).orElse(false);
    }

    /** The one node is READY and its agent reported after {@code instant}: a new agent, since the old one is dead. */
    private static boolean heartbeatAfter(ApiClient api, String operatorKey, java.time.Instant instant) {
        var nodes = api.get(operatorKey, "/v1/admin/nodes");
        if (nodes.status() != 200 || nodes.json().size() != 1) {
            return false;
        }
        var node = nodes.json().get(0);
        return "READY".equals(node.get("state").asString())
                && java.time.Instant.parse(node.get("lastHeartbeatAt").asString()).isAfter(instant);
    }

    /** Postgres processes whose data directory lies under {@code dir}. */
    private static List<Long> postgresUnder(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains(dir.toString())).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
