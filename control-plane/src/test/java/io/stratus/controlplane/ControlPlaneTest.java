package io.stratus.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.testing.ApiClient;
import io.stratus.testing.PostgresHarness;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the control plane's API tests: the whole application on a random port, its metadata in a real PostgreSQL
 * from the harness. One database and one application context serve every test class (tenants make tests independent).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ControlPlaneTest {

    protected static final String OPERATOR_KEY = "stk_test-operator-key-0123456789abcdefghijklmnop";
    protected static final String BOOTSTRAP_TOKEN = "sbt_test-bootstrap-token";
    private static final PostgresHarness.TestDatabase DB = PostgresHarness.newDatabase();
    /**
     * The Quartz scheduler's name. Quartz keeps one JDBC connection provider per scheduler name for the whole JVM, so a
     * control plane started later in the same test JVM under the same name takes over an earlier one's scheduler: it
     * then fires, checks in and recovers jobs in the later one's database, and fails once that one is closed. Each
     * application started by a test gets a name of its own (instances of one cluster share theirs).
     */
    public static final String SCHEDULER_NAME = "spring.quartz.properties.org.quartz.scheduler.instanceName";
    /** The shared context's backup store: a directory, which tests may write objects into as an agent would. */
    protected static final Path BACKUP_STORE = Path.of("target", "test-backup-store").toAbsolutePath();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @DynamicPropertySource
    static void metadataDatabase(DynamicPropertyRegistry registry) {
        registry.add("stratus.db.url", DB::jdbcUrl);
        registry.add("stratus.db.user", DB::user);
        registry.add("stratus.db.password", DB::password);
        registry.add("stratus.operator-key", () -> OPERATOR_KEY);
        registry.add("stratus.agent-bootstrap-token", () -> BOOTSTRAP_TOKEN);
        // Real crons fire in the shared context; catching up would export a week of real hours into other tests' data.
        registry.add("stratus.billing.export.catch-up", () -> "0s");
        registry.add("stratus.data-dir", () -> Path.of("target", "test-data").toAbsolutePath().toString());
        registry.add(SCHEDULER_NAME, () -> "stratus-" + DB.name());
        registry.add("stratus.backups.store.type", () -> "filesystem");
        registry.add("stratus.backups.store.directory", BACKUP_STORE::toString);
        // Never on its own: tests run verification when they mean to (a real firing would queue tasks mid-test).
        registry.add("stratus.backups.verification-cron", () -> "0 0 0 1 1 ? 2099");
        // Nor sampling backup storage: tests sample at instants of their own (a real firing would bill the time between).
        registry.add("stratus.backups.storage-sampling-cron", () -> "0 0 0 1 1 ? 2099");
    }

    protected ApiClient api() {
        return new ApiClient("http://127.0.0.1:" + port);
    }

    /** A tenant with an admin and a read-only key. */
    protected record TestTenant(String id, String name, String adminKey, String readKey) {
    }

    protected TestTenant newTenant() {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        var t = api().post(OPERATOR_KEY, "/v1/tenants", ApiClient.json("name", name));
        assertThat(t.status()).isEqualTo(201);
        String id = t.text("id");
        var admin = api().post(OPERATOR_KEY, "/v1/tenants/" + id + "/api-keys", ApiClient.json("role", "tenant-admin"));
        var read = api().post(OPERATOR_KEY, "/v1/tenants/" + id + "/api-keys", ApiClient.json("role", "tenant-read"));
        assertThat(admin.status()).isEqualTo(201);
        return new TestTenant(id, name, admin.text("key"), read.text("key"));
    }

    protected ApiClient.Response createDatabase(TestTenant t, String name) {
        var r = api().post(t.adminKey(), "/v1/databases", ApiClient.json("name", name, "minCu", 0.25, "maxCu", 2));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        return r;
    }

    protected long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }
}
