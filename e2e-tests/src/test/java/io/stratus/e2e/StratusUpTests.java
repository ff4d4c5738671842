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
        Path log = Path.of("target", "e2e-logs", "stratus-up.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("stratus.repoRoot"), "stratus").toString(), "up")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("STRATUS_DATA_DIR", dataDir.toString());
        pb.environment().put("STRATUS_HTTP_PORT", String.valueOf(port));
        Process up = pb.start();
        try {
            ApiClient api = new ApiClient("http://127.0.0.1:" + port);
            Path keyFile = dataDir.resolve("operator.key");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(keyFile)
                    && api.get(Files.readString(keyFile).trim(), "/v1/admin/nodes").json() != null
                    && api.get(Files.readString(keyFile).trim(), "/v1/admin/nodes").json().size() == 1);
            assertThat(Files.readString(log)).contains("http://127.0.0.1:" + port + "/swagger-ui.html").contains(keyFile.toString());
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String operatorKey = Files.readString(keyFile).trim();
            var t = api.post(operatorKey, "/v1/tenants", ApiClient.json("name", "local"));
            var k = api.post(operatorKey, "/v1/tenants/" + t.text("id") + "/api-keys", ApiClient.json("role", "tenant-admin"));
            E2e.Tenant tenant = new E2e.Tenant(t.text("id"), k.text("key"));
            var db = E2e.create(api, tenant, "local_app");
            assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
            try (Connection c = E2e.connect(db.uri())) {
                assertThat(c.isValid(2)).isTrue();
            }
            assertThat(postgresUnder(dataDir)).isNotEmpty();
        } finally {
            up.destroy(); // SIGTERM, as Ctrl-C's trap handles INT the same way
            up.waitFor();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> postgresUnder(dataDir).isEmpty());
        PostgresCluster.deleteRecursively(dataDir);
    }

    /** Postgres processes whose data directory lies under {@code dir}. */
    private static List<Long> postgresUnder(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains(dir.toString())).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
