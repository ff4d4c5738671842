package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import io.stratus.testing.S3Server;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Backups end to end through an S3-compatible store (S3Proxy in its own JVM): a real control plane and agent, databases
 * written through the front door, backed up, restored into new databases and read back; and the failures that must be
 * loud: an agent killed mid-backup, a store that cannot be reached.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupEndToEndTests {

    private static final String OP = StratusProcesses.OPERATOR_KEY;
    private S3Server s3;
    private StratusProcesses stratus;
    private E2e.Tenant tenant;

    @BeforeAll
    void start() {
        s3 = new S3Server();
        s3.start();
        stratus = new StratusProcesses();
        for (var e : List.of(new String[] {"STRATUS_BACKUPS_STORE_TYPE", "s3"},
                new String[] {"STRATUS_BACKUPS_STORE_BUCKET", s3.bucket()},
                new String[] {"STRATUS_BACKUPS_STORE_PREFIX", "e2e"},
                new String[] {"STRATUS_BACKUPS_STORE_ENDPOINT", s3.endpoint().toString()},
                new String[] {"STRATUS_BACKUPS_STORE_REGION", "us-east-1"},
                new String[] {"STRATUS_BACKUPS_STORE_ACCESS_KEY", s3.accessKey()},
                new String[] {"STRATUS_BACKUPS_STORE_SECRET_KEY", s3.secretKey()},
                new String[] {"STRATUS_BACKUPS_STORE_PATH_STYLE", "true"},
                new String[] {"STRATUS_BACKUPS_ARCHIVE_TIMEOUT", "60s"})) {
            stratus.withControlPlaneEnv(e[0], e[1]).withAgentEnv(e[0], e[1]);
        }
        stratus.start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterAll
    void stop() throws Exception {
        stratus.close();
        s3.close();
    }

    @Test
    void aRestoreGivesBackExactlyTheDataOfTheBackupOrOfThePointInTimeAsked() throws Exception {
        E2e.CreatedDatabase db = running("shop");
        sql(db.uri(), "CREATE TABLE orders (id int PRIMARY KEY, item text)",
                "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 2000) g");

        JsonNode backup = backupAndWait(db, "SUCCEEDED");
        sql(db.uri(), "INSERT INTO orders VALUES (2001, 'second write')");
        // The server's clock, which commit timestamps (and so recovery targets) are read with: after 2001, before 2002.
        Instant between = Instant.parse(rows(db.uri(),
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        sql(db.uri(), "INSERT INTO orders VALUES (2002, 'third write')");
        backupAndWait(db, "SUCCEEDED"); // its WAL switch archives the segment holding both writes

        assertThat(backup.get("method").asString()).isEqualTo("hot");
        assertThat(backup.get("sizeBytes").asLong()).isPositive();
        JsonNode window = stratus.api().get(tenant.adminKey(), "/v1/databases/" + db.id() + "/recovery-window").json();
        assertThat(Instant.parse(window.get("earliest").asString())).isBefore(between);
        assertThat(Instant.parse(window.get("latest").asString())).isAfter(between);

        String atBackup = restore(db, ApiClient.json("backupId", backup.get("id").asString(), "newDatabaseName",
                "shop_at_backup"));
        assertThat(rows(atBackup, "SELECT count(*), max(id) FROM orders")).isEqualTo("2000,2000");

        String atInstant = restore(db, ApiClient.json("pointInTime", between.toString(), "newDatabaseName",
                "shop_between"));
        assertThat(rows(atInstant, "SELECT count(*), max(id) FROM orders")).isEqualTo("2001,2001");
        assertThat(rows(db.uri(), "SELECT count(*), max(id) FROM orders")).as("the source is untouched")
                .isEqualTo("2002,2002");

        var outside = stratus.api().post(tenant.adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("pointInTime", "2020-01-01T00:00:00Z", "newDatabaseName", "too_early"));
        assertThat(outside.status()).as(outside.raw()).isEqualTo(400);
        assertThat(outside.contentType()).startsWith("application/problem+json");
        assertThat(outside.raw()).contains(window.get("earliest").asString().substring(0, 16));
    }

    @Test
    void anAgentKilledMidBackupFailsItAndTheNextBackupSucceeds() throws Exception {
        E2e.CreatedDatabase db = running("bulky");
        // Big enough that the copy takes a while: the kill lands mid-backup.
        sql(db.uri(), "CREATE TABLE filler AS SELECT g, md5(g::text) || repeat('x', 400) AS pad "
                + "FROM generate_series(1, 400000) g");
        ApiClient api = stratus.api();
        var started = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/backups", null);
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        String backupId = started.at("/backup/id").asString();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                "RUNNING".equals(api.get(tenant.adminKey(), "/v1/backups/" + backupId).text("state"))
                        && api.get(OP, "/v1/admin/databases/" + db.id() + "/tasks").json().get(0)
                        .get("progress").asInt() > 0);

        stratus.killAgent();
        stratus.startAgent();

        assertThat(E2e.awaitOperation(api, tenant, started.at("/operation/id").asString(), Duration.ofSeconds(60)))
                .isEqualTo("FAILED");
        JsonNode failed = api.get(tenant.adminKey(), "/v1/backups/" + backupId).json();
        assertThat(failed.get("state").asString()).isEqualTo("FAILED");
        assertThat(failed.get("reasonCode").asString()).isEqualTo("interrupted-by-agent-restart");
        JsonNode next = backupAndWait(db, "SUCCEEDED");
        String copy = restore(db, ApiClient.json("backupId", next.get("id").asString(), "newDatabaseName", "bulky_copy"));
        assertThat(rows(copy, "SELECT count(*) FROM filler")).isEqualTo("400000");
    }

    @Test
    void anUnreachableStoreFailsTheBackupLoudlyAndMarksNothingGood() throws Exception {
        E2e.CreatedDatabase db = running("stranded");
        sql(db.uri(), "CREATE TABLE t AS SELECT generate_series(1, 100) AS id");
        s3.stop();
        try {
            JsonNode failed = backupAndWait(db, "FAILED");
            assertThat(failed.get("reasonCode").asString()).isIn("store-unreachable", "archiving-failed");
            assertThat(failed.get("message").asString()).isNotBlank();
            JsonNode view = stratus.api().get(tenant.adminKey(), "/v1/databases/" + db.id()).json();
            assertThat(view.get("backupStatus").asString()).isEqualTo("FAILING");
        } finally {
            s3.start();
        }
        backupAndWait(db, "SUCCEEDED");
        assertThat(stratus.api().get(tenant.adminKey(), "/v1/databases/" + db.id()).text("backupStatus"))
                .isEqualTo("OK");
    }

    @Test
    void anotherTenantsBackupsAreNotFound() {
        E2e.CreatedDatabase db = running("private");
        JsonNode backup = backupAndWait(db, "SUCCEEDED");
        E2e.Tenant other = E2e.newTenant(stratus.api());
        ApiClient api = stratus.api();
        assertThat(api.get(other.adminKey(), "/v1/backups/" + backup.get("id").asString()).status()).isEqualTo(404);
        assertThat(api.get(other.adminKey(), "/v1/databases/" + db.id() + "/backups").status()).isEqualTo(404);
        assertThat(api.post(other.adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("backupId", backup.get("id").asString(), "newDatabaseName", "stolen")).status())
                .isEqualTo(404);
    }

    // ---- helpers ----

    private E2e.CreatedDatabase running(String name) {
        E2e.CreatedDatabase db = E2e.create(stratus.api(), tenant, name);
        assertThat(E2e.awaitOperation(stratus.api(), tenant, db.operationId(), Duration.ofSeconds(90)))
                .isEqualTo("SUCCEEDED");
        return db;
    }

    private JsonNode backupAndWait(E2e.CreatedDatabase db, String expected) {
        ApiClient api = stratus.api();
        var started = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/backups", null);
        assertThat(started.status()).as(started.raw()).isEqualTo(202);
        String state = E2e.awaitOperation(api, tenant, started.at("/operation/id").asString(), Duration.ofSeconds(120));
        JsonNode backup = api.get(tenant.adminKey(), "/v1/backups/" + started.at("/backup/id").asString()).json();
        assertThat(state).as(backup.toString()).isEqualTo(expected);
        assertThat(backup.get("state").asString()).isEqualTo(expected);
        return backup;
    }

    /** Restores into a new database and returns its connection URI once it runs. */
    private String restore(E2e.CreatedDatabase source, String body) {
        ApiClient api = stratus.api();
        var r = api.post(tenant.adminKey(), "/v1/databases/" + source.id() + "/restore", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String op = r.at("/operation/id").asString();
        String state = E2e.awaitOperation(api, tenant, op, Duration.ofSeconds(120));
        assertThat(state).as(api.get(tenant.adminKey(), "/v1/operations/" + op).raw()).isEqualTo("SUCCEEDED");
        return r.at("/connection/uri").asString();
    }

    private static void sql(String uri, String... statements) throws SQLException {
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static String rows(String uri, String query) throws SQLException {
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    cols.add(rs.getString(i));
                }
                out.add(String.join(",", cols));
            }
            return String.join("\n", out);
        }
    }
}
