package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import io.stratus.testing.Listeners;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The front door end to end (issue #18): one stable address per stack, TLS required, databases reached by the URI the
 * API gave at creation, woken by a connection, every failure an ErrorResponse with its SQLSTATE, cancels relayed, and
 * computes reachable through nothing else. Clients are the ones developers use: pgjdbc and psql.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrontDoorEndToEndTests {

    private static final String PSQL = "/usr/bin/psql";
    private StratusProcesses stratus;
    private E2e.Tenant tenant;

    @BeforeAll
    void start() throws Exception {
        stratus = new StratusProcesses();
        Path tls = stratus.dir().resolve("tls");
        Files.createDirectories(tls);
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-keyout", tls.resolve("key.pem").toString(),
                "-out", tls.resolve("cert.pem").toString()).redirectErrorStream(true).start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
                .as(new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isTrue();
        stratus.withAgentEnv("STRATUS_AGENT_FRONT_DOOR_TLS_CERTIFICATE", tls.resolve("cert.pem").toString())
                .withAgentEnv("STRATUS_AGENT_FRONT_DOOR_TLS_KEY", tls.resolve("key.pem").toString())
                .withAgentEnv("STRATUS_AGENT_FRONT_DOOR_TLS_REQUIRED", "true")
                .withAgentEnv("STRATUS_AGENT_FRONT_DOOR_WAKE_TIMEOUT", "60s")
                .withControlPlaneEnv("STRATUS_FRONT_DOOR_SSL_MODE", "require")
                .start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterAll
    void stop() throws Exception {
        if (stratus != null) {
            stratus.close();
        }
    }

    @Test
    void theUriFromTheCreateNamesTheFrontDoorAndWorksOnceTheDatabaseRuns() throws Exception {
        ApiClient api = stratus.api();
        var r = api.post(tenant.adminKey(), "/v1/databases", ApiClient.json("name", "early", "minCu", 0.25, "maxCu", 1));
        String uri = r.at("/connection/uri").asString();
        String endpoint = r.at("/connection/endpoint").asString();

        assertThat(uri).isEqualTo("postgresql://early_owner:" + r.at("/connection/password").asString() + "@127.0.0.1:"
                + stratus.frontDoorPort() + "/early." + endpoint + "?sslmode=require");
        // Connected at once, before the operation is done: the front door holds the client until the compute runs.
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database(), current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("early");
            assertThat(rs.getString(2)).isEqualTo("early_owner");
        }
    }

    @Test
    void aSuspendedDatabaseWakesForPgjdbcAndPsqlThroughTheSameUri() throws Exception {
        ApiClient api = stratus.api();
        E2e.CreatedDatabase db = running("sleeper");
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items AS SELECT generate_series(1, 100) AS id");
        }

        suspend(db);
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(100);
        }
        awaitRunning(db);
        assertThat(lastReason(db)).isEqualTo("resumed by a connection");

        suspend(db);
        Psql psql = psql(db.uri(), "SELECT count(*) FROM items");
        assertThat(psql.exit()).as(psql.output()).isZero();
        assertThat(psql.output().trim()).isEqualTo("100");
        awaitRunning(db);
    }

    @Test
    void twentyClientsOnASuspendedDatabaseCauseOneResumeAndAllGetThrough() throws Exception {
        E2e.CreatedDatabase db = running("crowd");
        suspend(db);
        int before = reasons(db).size();

        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            clients.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT " + n)) {
                        rs.next();
                        return rs.getInt(1);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool));
        }
        go.countDown();
        Set<Integer> answers = new HashSet<>();
        for (CompletableFuture<Integer> c : clients) {
            answers.add(c.get(90, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertThat(answers).hasSize(20);
        List<String> since = reasons(db).subList(before, reasons(db).size());
        assertThat(since).as("one resume for twenty clients").containsExactly("resumed by a connection");
    }

    @Test
    void everyFailureAClientCanMeetIsAnErrorResponseWithItsSqlState() throws Exception {
        ApiClient api = stratus.api();
        E2e.CreatedDatabase db = running("guarded");
        URI u = URI.create(db.uri());
        String endpoint = u.getPath().substring(u.getPath().lastIndexOf('.') + 1);

        assertThat(sqlState(() -> E2e.connect(db.uri().replace(":" + db.password() + "@", ":wrong-password@"))))
                .as("the compute's own answer, relayed").isEqualTo("28P01");
        assertThat(sqlState(() -> E2e.connect(db.uri().replace("/guarded." + endpoint, "/guarded.nosuchendpoint"))))
                .isEqualTo("3D000");
        assertThat(sqlState(() -> E2e.connect(db.uri().replace("/guarded." + endpoint, "/other." + endpoint))))
                .as("an endpoint answers only to its own database's name").isEqualTo("3D000");
        assertThat(sqlState(() -> E2e.connect(db.uri().replace("/guarded." + endpoint, "/guarded"))))
                .as("no endpoint at all").isEqualTo("3D000");
        assertThat(sqlState(() -> E2e.connect(db.uri().replace("guarded_owner:", "stratus_agent:"))))
                .as("the agent's superuser never logs in from outside").isEqualTo("28000");
        assertThat(sqlState(() -> E2e.connect(db.uri().replace("sslmode=require", "sslmode=disable"))))
                .as("plaintext refused").isEqualTo("28000");

        try (Connection owner = E2e.connect(db.uri()); Statement st = owner.createStatement()) {
            st.execute("ALTER DATABASE guarded CONNECTION LIMIT 1");
            assertThat(sqlState(() -> E2e.connect(db.uri()))).as("the compute's connection limit").isEqualTo("53300");
            st.execute("ALTER DATABASE guarded CONNECTION LIMIT -1");
        }

        var del = api.delete(tenant.adminKey(), "/v1/databases/" + db.id());
        assertThat(E2e.awaitOperation(api, tenant, del.at("/operation/id").asString(), Duration.ofSeconds(60)))
                .isEqualTo("SUCCEEDED");
        SQLException deleted = catchSql(() -> E2e.connect(db.uri()));
        assertThat(deleted.getSQLState()).isEqualTo("3D000");
        assertThat(deleted.getMessage()).contains("was deleted");
    }

    @Test
    void aCancelStopsTheRunningQueryOnItsComputeAndAForgedKeyCancelsNothing() throws Exception {
        E2e.CreatedDatabase db = running("patient");
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> failureOf(st,
                    "SELECT pg_sleep(30)"));
            await().atMost(Duration.ofSeconds(20)).until(() -> active(db, "SELECT pg_sleep(30)") == 1);
            st.cancel();
            SQLException cancelled = sleeping.get(20, TimeUnit.SECONDS);
            assertThat((Throwable) cancelled).as("cancelled").isNotNull();
            assertThat(cancelled.getSQLState()).isEqualTo("57014");
        }

        // psql's Ctrl-C: SIGINT makes it send a CancelRequest with the key it got.
        Process psql = psqlProcess(db.uri(), "SELECT pg_sleep(30)");
        await().atMost(Duration.ofSeconds(20)).until(() -> active(db, "SELECT pg_sleep(30)") == 1);
        new ProcessBuilder("kill", "-INT", String.valueOf(psql.pid())).start().waitFor();
        assertThat(psql.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("canceling statement due to user request");

        // A CancelRequest with a key the front door never gave: the query runs to its end.
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            CompletableFuture<SQLException> sleeping = CompletableFuture.supplyAsync(() -> failureOf(st,
                    "SELECT pg_sleep(5)"));
            await().atMost(Duration.ofSeconds(20)).until(() -> active(db, "SELECT pg_sleep(5)") == 1);
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < 50; i++) {
                sendCancel(random.nextInt(), random.nextInt());
            }
            assertThat(active(db, "SELECT pg_sleep(5)")).as("still running after 50 forged cancels").isEqualTo(1);
            assertThat((Throwable) sleeping.get(20, TimeUnit.SECONDS)).as("ran to its end").isNull();
        }
    }

    @Test
    void tlsWorksWithSslmodeRequireForPsqlAndPgjdbc() throws Exception {
        E2e.CreatedDatabase db = running("secret");
        try (Connection c = E2e.connect(db.uri())) {
            assertThat(c.isValid(2)).isTrue();
        }
        Psql info = psql(db.uri(), "\\conninfo");
        assertThat(info.exit()).as(info.output()).isZero();
        assertThat(info.output()).contains("SSL connection (protocol: TLSv1.");
    }

    @Test
    void aComputeListensOnNoTcpPortOnlyOnTheSocketTheFrontDoorUses() throws Exception {
        E2e.CreatedDatabase db = running("hidden");
        Path pid = stratus.agentDataDir().resolve("computes").resolve(db.id()).resolve("pgdata").resolve("postmaster.pid");
        long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());

        assertThat(Listeners.tcpPorts(postmaster)).isEmpty();
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('listen_addresses'), inet_server_port()")) {
            rs.next();
            assertThat(rs.getString(1)).isEmpty();
            assertThat(rs.getObject(2)).as("a Unix-socket session").isNull();
        }
    }

    @Test
    void aReadOnlyRoleReadsTheOwnersTablesAndWritesNothingAndARemovedRoleIsLockedOut() throws Exception {
        ApiClient api = stratus.api();
        E2e.CreatedDatabase db = running("ledger");
        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE entries AS SELECT generate_series(1, 10) AS id");
        }
        var reader = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/roles",
                ApiClient.json("name", "reporting", "readOnly", true));
        var writer = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/roles",
                ApiClient.json("name", "app", "readOnly", false));
        assertThat(reader.status()).as(reader.raw()).isEqualTo(201);
        assertThat(reader.at("/operation/state").asString()).as("applied before the answer").isEqualTo("SUCCEEDED");
        assertThat(writer.at("/operation/state").asString()).isEqualTo("SUCCEEDED");
        String readerUri = reader.at("/role/connection/uri").asString();
        String writerUri = writer.at("/role/connection/uri").asString();

        try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA later; CREATE TABLE later.notes AS SELECT 'a' AS note");
        }
        Connection held = E2e.connect(readerUri);
        try (Statement st = held.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM entries")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(10);
        }
        try (Statement st = held.createStatement(); ResultSet rs = st.executeQuery("SELECT note FROM later.notes")) {
            rs.next();
            assertThat(rs.getString(1)).as("a schema and table the owner made after the role").isEqualTo("a");
        }
        try (Connection c = E2e.connect(readerUri); Statement st = c.createStatement()) {
            st.execute("SET default_transaction_read_only = off"); // the default is only a second line
            assertThat(sqlState(() -> { st.execute("INSERT INTO entries VALUES (11)"); return null; }))
                    .isEqualTo("42501");
            assertThat(sqlState(() -> { st.execute("CREATE TABLE mine (x int)"); return null; })).isEqualTo("42501");
        }
        try (Connection c = E2e.connect(writerUri); Statement st = c.createStatement()) {
            st.execute("INSERT INTO entries VALUES (11)");
            assertThat(sqlState(() -> { st.execute("DROP TABLE entries"); return null; })).isEqualTo("42501");
        }

        var removed = api.delete(tenant.adminKey(), "/v1/databases/" + db.id() + "/roles/reporting");
        assertThat(E2e.awaitOperation(api, tenant, removed.at("/operation/id").asString(), Duration.ofSeconds(30)))
                .isEqualTo("SUCCEEDED");
        assertThat(sqlState(() -> { held.createStatement().executeQuery("SELECT 1"); return null; }))
                .as("its open session ended").isNotNull();
        held.close();
        assertThat(sqlState(() -> E2e.connect(readerUri))).isIn("28000", "28P01");
        try (Connection c = E2e.connect(writerUri)) {
            assertThat(c.isValid(2)).as("the other role stays").isTrue();
        }
    }

    @Test
    void aSecondStratusOnTheSameHostProvisionsAndServesDatabases() throws Exception {
        E2e.CreatedDatabase first = running("first_stack");
        try (StratusProcesses second = new StratusProcesses()) {
            second.start();
            E2e.Tenant other = E2e.newTenant(second.api());
            E2e.CreatedDatabase db = E2e.create(second.api(), other, "second_stack");
            assertThat(E2e.awaitOperation(second.api(), other, db.operationId(), Duration.ofSeconds(90)))
                    .isEqualTo("SUCCEEDED");
            assertThat(URI.create(db.uri()).getPort()).isEqualTo(second.frontDoorPort())
                    .isNotEqualTo(stratus.frontDoorPort());
            try (Connection c = E2e.connect(db.uri()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_database()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("second_stack");
            }
            try (Connection c = E2e.connect(first.uri())) {
                assertThat(c.isValid(2)).as("the first stack serves on").isTrue();
            }
        }
    }

    private E2e.CreatedDatabase running(String name) {
        E2e.CreatedDatabase db = E2e.create(stratus.api(), tenant, name);
        assertThat(E2e.awaitOperation(stratus.api(), tenant, db.operationId(), Duration.ofSeconds(90)))
                .isEqualTo("SUCCEEDED");
        return db;
    }

    private void suspend(E2e.CreatedDatabase db) {
        ApiClient api = stratus.api();
        var s = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/suspend", null);
        assertThat(s.status()).as(s.raw()).isEqualTo(202);
        assertThat(E2e.awaitOperation(api, tenant, s.at("/operation/id").asString(), Duration.ofSeconds(60)))
                .isEqualTo("SUCCEEDED");
        assertThat(api.get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")).isEqualTo("SUSPENDED");
    }

    /**
     * The API shows what the agent last reported: the client's query can run a few milliseconds before the report
     * that the compute runs has arrived.
     */
    private void awaitRunning(E2e.CreatedDatabase db) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() ->
                "RUNNING".equals(stratus.api().get(tenant.adminKey(), "/v1/databases/" + db.id()).text("state")));
    }

    private List<String> reasons(E2e.CreatedDatabase db) {
        return stratus.api().get(tenant.adminKey(), "/v1/databases/" + db.id() + "/scaling-events").json()
                .findValuesAsString("reason");
    }

    private String lastReason(E2e.CreatedDatabase db) {
        List<String> r = reasons(db);
        return r.get(r.size() - 1);
    }

    /** How many sessions run {@code query} now, as the database itself sees it. */
    private int active(E2e.CreatedDatabase db, String query) throws SQLException {
        try (Connection c = E2e.connect(db.uri());
             java.sql.PreparedStatement st = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                     + " WHERE query = ? AND state = 'active'")) {
            st.setString(1, query);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Runs the statement; the exception it ended with, or null when it ran to its end. */
    private static SQLException failureOf(Statement st, String sql) {
        try {
            st.execute(sql);
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    private void sendCancel(int pid, int secret) {
        try (Socket s = new Socket("127.0.0.1", stratus.frontDoorPort());
             DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
            out.writeInt(16);
            out.writeInt(80877102);
            out.writeInt(pid);
            out.writeInt(secret);
            out.flush();
            s.getInputStream().read(); // the front door hangs up without a word
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Psql(int exit, String output) {
    }

    private static Psql psql(String uri, String command) throws Exception {
        Process p = psqlProcess(uri, command);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return new Psql(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Process psqlProcess(String uri, String command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(PSQL, uri, "-X", "-A", "-t", "-c", command).redirectErrorStream(true);
        pb.environment().put("PGCONNECT_TIMEOUT", "60");
        return pb.start();
    }

    private interface SqlCall {
        AutoCloseable call() throws SQLException;
    }

    private static SQLException catchSql(SqlCall call) {
        try (AutoCloseable c = call.call()) {
            throw new AssertionError("succeeded: " + c);
        } catch (SQLException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String sqlState(SqlCall call) {
        return catchSql(call).getSQLState();
    }
}
