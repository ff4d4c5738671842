package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import tools.jackson.databind.JsonNode;

/**
 * Requests metered on the wire (issue #19): every client reaches its compute through the front door, which bills one
 * request per CommandComplete of a statement the client sent (transaction control and failed statements excepted),
 * rows from the command tags and the bytes sent to the client. Checked against what real clients ran, in every
 * protocol a client uses, through the usage API.
 */
class FrontDoorMeteringEndToEndTests {

    private static StratusProcesses stratus;
    private static E2e.Tenant tenant;

    @BeforeAll
    static void start() {
        stratus = new StratusProcesses()
                .withControlPlaneEnv("STRATUS_METERING_ROLLUP_INTERVAL", "1s")
                .withAgentEnv("STRATUS_AGENT_USAGE_INTERVAL", "1s");
        stratus.start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterAll
    static void stop() throws Exception {
        stratus.close();
    }

    @Test
    void everyProtocolIsBilledOneRequestPerStatementWithItsRowsAndTheBytesTheClientGot() throws Exception {
        ApiClient api = stratus.api();
        var db = E2e.create(api, tenant, "wire");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        Usage expected = new Usage();
        try (ByteCountingProxy proxy = new ByteCountingProxy("127.0.0.1", stratus.frontDoorPort())) {
            try (Connection simple = viaProxy(db.uri(), proxy, "&preferQueryMode=simple");
                 Statement st = simple.createStatement()) {
                st.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
                expected.add(1, 0, 0);
                st.execute("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
                expected.add(1, 0, 100);
                drain(st.executeQuery("SELECT * FROM t WHERE id <= 10"));
                expected.add(1, 10, 0);
                // One Query message, three statements: three requests.
                st.execute("INSERT INTO t VALUES (1001, 'a'); INSERT INTO t VALUES (1002, 'b'); "
                        + "SELECT id FROM t WHERE id > 1000");
                expected.add(3, 2, 2);
                assertThatThrownBy(() -> st.execute("SELECT 1/0")).isInstanceOf(SQLException.class);
                // A rolled-back statement's rows were written (and billed); BEGIN and ROLLBACK frame it, unbilled.
                st.execute("BEGIN; INSERT INTO t VALUES (2001, 'r'); ROLLBACK");
                expected.add(1, 0, 1);
                st.execute("BEGIN");
                st.execute("DECLARE c CURSOR FOR SELECT id FROM t ORDER BY id");
                for (int i = 0; i < 4; i++) {
                    drain(st.executeQuery("FETCH 5 FROM c"));
                }
                st.execute("CLOSE c");
                st.execute("COMMIT");
                expected.add(1 + 4 + 1, 20, 0);
            }
            try (Connection extended = viaProxy(db.uri(), proxy, ""); Statement st = extended.createStatement()) {
                st.execute("UPDATE t SET v = 'x' WHERE id <= 5");
                expected.add(1, 0, 5);
                // Server-side prepared from the fifth execution on (pgjdbc's prepareThreshold): each still counts.
                try (PreparedStatement ps = extended.prepareStatement("SELECT v FROM t WHERE id = ?")) {
                    for (int i = 1; i <= 8; i++) {
                        ps.setInt(1, i);
                        drain(ps.executeQuery());
                    }
                }
                expected.add(8, 8, 0);
                // A batch: twenty Bind/Execute pairs pipelined before one Sync.
                try (PreparedStatement ps = extended.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                    for (int i = 0; i < 20; i++) {
                        ps.setInt(1, 3001 + i);
                        ps.setString(2, "b");
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                expected.add(20, 0, 20);
                try (PreparedStatement dup = extended.prepareStatement("INSERT INTO t VALUES (1, 'dup')")) {
                    assertThatThrownBy(dup::executeUpdate).isInstanceOf(SQLException.class);
                }
                StringBuilder rows = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    rows.append(4001 + i).append("\tc\n");
                }
                long copied = extended.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY t FROM STDIN", new StringReader(rows.toString()));
                assertThat(copied).isEqualTo(50);
                expected.add(1, 0, 50);
                var out = new java.io.StringWriter();
                extended.unwrap(PGConnection.class).getCopyAPI()
                        .copyOut("COPY (SELECT id FROM t WHERE id > 4000) TO STDOUT", out);
                expected.add(1, 50, 0);
                // A portal read in parts (Execute with a row limit, PortalSuspended in between): one request.
                extended.setAutoCommit(false);
                try (PreparedStatement ps = extended.prepareStatement("SELECT id FROM t ORDER BY id")) {
                    ps.setFetchSize(10);
                    assertThat(drain(ps.executeQuery())).isEqualTo(172);
                }
                extended.commit();
                expected.add(1, 172, 0);
                // Left after its first part: billed once, for the ten rows sent.
                try (PreparedStatement ps = extended.prepareStatement("SELECT id FROM t ORDER BY id")) {
                    ps.setFetchSize(10);
                    try (ResultSet rs = ps.executeQuery()) {
                        for (int i = 0; i < 10; i++) {
                            assertThat(rs.next()).isTrue();
                        }
                    }
                }
                extended.commit();
                expected.add(1, 10, 0);
                // Statements run between the parts of a portal are requests of their own.
                try (PreparedStatement ps = extended.prepareStatement("SELECT id FROM t WHERE id <= 30 ORDER BY id");
                     PreparedStatement update = extended.prepareStatement("UPDATE t SET v = 'i' WHERE id = ?")) {
                    ps.setFetchSize(10);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getInt(1) % 10 == 0) {
                                update.setInt(1, rs.getInt(1));
                                assertThat(update.executeUpdate()).isEqualTo(1);
                            }
                        }
                    }
                }
                extended.commit();
                expected.add(1 + 3, 30, 3);
                extended.setAutoCommit(true);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(usage(api, db.id())).isEqualTo(expected.withEgress(usage(api, db.id()))));
            long received = proxy.bytesToClients();
            long metered = usage(api, db.id()).egressBytes;
            System.out.printf("egress: metered %d bytes, the clients received %d%n", metered, received);
            assertThat((double) metered).isCloseTo(received, org.assertj.core.data.Percentage.withPercentage(1));
            // Ingress is counted after each connection's startup packet (a few dozen bytes), which the proxy also saw.
            long sent = proxy.bytesFromClients();
            long ingress = usage(api, db.id()).ingressBytes;
            System.out.printf("ingress: metered %d bytes, the clients sent %d%n", ingress, sent);
            assertThat(ingress).isPositive().isLessThanOrEqualTo(sent).isGreaterThan(sent - 2 * 512);
        }
        // The agent's own probes and metering, and autovacuum after 100+ rows changed, add nothing.
        Usage settled = usage(api, db.id());
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(usage(api, db.id())).isEqualTo(settled));
    }

    @Test
    void psqlAndPgbenchPreparedAreBilledPerStatement() throws Exception {
        ApiClient api = stratus.api();
        var db = E2e.create(api, tenant, "tools");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        Process psql = new ProcessBuilder("psql", db.uri(), "-X", "-q", "-c", "CREATE TABLE p (id int)",
                "-c", "INSERT INTO p VALUES (1), (2), (3)", "-c", "SELECT * FROM p").redirectErrorStream(true).start();
        assertThat(psql.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(psql.exitValue()).as(new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Path script = Files.createTempFile("select", ".sql");
        Files.writeString(script, "SELECT id FROM p WHERE id = 2;\n");
        Pgbench.run(URI.create(db.uri()), "-n", "-M", "prepared", "-c", "2", "-t", "25", "-f", script.toString());
        Usage expected = new Usage();
        expected.add(3, 3, 3);
        expected.add(50, 50, 0);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(usage(api, db.id())).isEqualTo(expected.withEgress(usage(api, db.id()))));
    }

    // Metering needs no extension in the compute; a tenant who wants its query statistics asks for them.
    @Test
    void pgStatStatementsIsOffByDefaultAndOnForTheDatabasesThatAskForIt() throws Exception {
        ApiClient api = stratus.api();
        var plain = E2e.create(api, tenant, "plain");
        var r = api.post(tenant.adminKey(), "/v1/databases",
                "{\"name\":\"insight\",\"minCu\":0.25,\"maxCu\":1,\"pgStatStatements\":true}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        assertThat(r.at("/database/pgStatStatements").asBoolean()).isTrue();
        assertThat(E2e.awaitOperation(api, tenant, plain.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        assertThat(E2e.awaitOperation(api, tenant, r.at("/operation/id").asString(), Duration.ofSeconds(90)))
                .isEqualTo("SUCCEEDED");

        try (Connection c = E2e.connect(plain.uri()); Statement st = c.createStatement()) {
            // Not there (and a tenant cannot create it: it is not a trusted extension).
            assertThatThrownBy(() -> st.executeQuery("SELECT count(*) FROM pg_stat_statements"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("does not exist");
        }
        try (Connection c = E2e.connect(r.at("/connection/uri").asString()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE seen (id int)");
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_statements WHERE query LIKE 'CREATE TABLE seen%'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the tenant reads its own statements' statistics").isEqualTo(1);
            }
        }
    }

    /**
     * A kill -9 of the agent (front door and all) under load loses at most what was counted since the last flush
     * (every second) and never counts anything twice: billed is at most what ran (plus the one statement in flight,
     * which the server ran but whose answer the kill may have kept from the client).
     */
    @Test
    void aKilledFrontDoorLosesAtMostItsLastSecondAndNeverCountsTwice() throws Exception {
        ApiClient api = stratus.api();
        var db = E2e.create(api, tenant, "killed");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
        Thread load = new Thread(() -> {
            try (Connection c = E2e.connect(db.uri() + "?assumeMinServerVersion=10");
                 PreparedStatement ps = c.prepareStatement("SELECT 1")) {
                while (true) {
                    drain(ps.executeQuery());
                    completions.add(System.nanoTime());
                }
            } catch (SQLException killed) {
                // The front door went away under it.
            }
        }, "metered-load");
        long started = System.nanoTime();
        load.start();
        // Long enough for several flushes: what must survive is everything but the last second or so.
        await().atMost(Duration.ofSeconds(60)).until(() -> completions.size() >= 1000
                && System.nanoTime() - started > Duration.ofSeconds(5).toNanos());
        long killedAt = System.nanoTime();
        stratus.killAgent();
        load.join(30_000);
        assertThat(load.isAlive()).isFalse();
        long executed = completions.size();
        long lastTwoSeconds = completions.stream().filter(t -> t > killedAt - Duration.ofSeconds(2).toNanos()).count();
        stratus.startAgent();

        List<Long> readings = new ArrayList<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            readings.add(usage(api, db.id()).requests);
            int n = readings.size();
            return n >= 4 && readings.get(n - 1) > 0 && readings.subList(n - 4, n).stream().distinct().count() == 1;
        });
        long billed = readings.get(readings.size() - 1);
        System.out.printf("kill -9 under load: executed %d, billed %d, lost %d (%d ran in the last 2 s before the kill)%n",
                executed, billed, executed - billed, lastTwoSeconds);
        assertThat(billed).as("never more than ran").isLessThanOrEqualTo(executed + 1);
        assertThat(executed - billed).as("at most the last unflushed second (and the pass writing it)")
                .isLessThanOrEqualTo(lastTwoSeconds);
    }

    /**
     * A clean stop (SIGTERM) right after the statements, before any flush: the front door ends its sessions first, then
     * the meter takes its last reading, so nothing counted is lost.
     */
    @Test
    void aCleanStopRightAfterTheStatementsLosesNothing() throws Exception {
        ApiClient api = stratus.api();
        var db = E2e.create(api, tenant, "stopped");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        Connection open = E2e.connect(db.uri() + "?assumeMinServerVersion=10");
        int n = 0;
        try (Statement st = open.createStatement()) {
            st.execute("CREATE TABLE s (id int)");
            n++;
            for (int i = 0; i < 200; i++) {
                st.execute("INSERT INTO s VALUES (" + i + ")");
                n++;
            }
        }
        // The session is still open when the agent is told to stop: the front door ends it (57P01) before the meter's
        // last pass.
        stratus.stopAgent();
        assertThatThrownBy(() -> open.createStatement().execute("SELECT 1")).isInstanceOf(SQLException.class);
        open.close();
        stratus.startAgent();

        long expected = n;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(usage(api, db.id()).requests).isEqualTo(expected));
        assertThat(usage(api, db.id()).rowsWritten).isEqualTo(200);
    }

    // ---- helpers ----

    /** Requests, rows read, rows written and egress bytes of one database; egress compared only where asked. */
    static final class Usage {
        long requests;
        long rowsRead;
        long rowsWritten;
        long egressBytes;
        long ingressBytes;

        void add(long requests, long read, long written) {
            this.requests += requests;
            this.rowsRead += read;
            this.rowsWritten += written;
        }

        /** These counts with another's egress, to compare everything but the egress. */
        Usage withEgress(Usage other) {
            Usage u = new Usage();
            u.add(requests, rowsRead, rowsWritten);
            u.egressBytes = other.egressBytes;
            return u;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Usage u && u.requests == requests && u.rowsRead == rowsRead
                    && u.rowsWritten == rowsWritten && u.egressBytes == egressBytes;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(requests);
        }

        @Override
        public String toString() {
            return "requests=" + requests + ", rowsRead=" + rowsRead + ", rowsWritten=" + rowsWritten + ", egressBytes="
                    + egressBytes;
        }
    }

    private static Usage usage(ApiClient api, String databaseId) {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        var r = api.get(tenant.adminKey(), "/v1/databases/" + databaseId + "/usage?granularity=day&from="
                + today.minus(Duration.ofDays(1)) + "&to=" + today.plus(Duration.ofDays(2)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        Usage u = new Usage();
        for (JsonNode b : r.json().get("series")) {
            u.add(b.get("requests").asLong(), b.get("rowsRead").asLong(), b.get("rowsWritten").asLong());
            u.egressBytes += b.get("egressBytes").asLong();
            u.ingressBytes += b.get("ingressBytes").asLong();
        }
        return u;
    }

    /**
     * pgjdbc through the byte-counting proxy, in plaintext (so the bytes it counts are the protocol's), with
     * assumeMinServerVersion so that it sends no SET of its own after connecting.
     */
    private static Connection viaProxy(String uri, ByteCountingProxy proxy, String params) throws SQLException {
        URI u = URI.create(uri);
        String[] userInfo = u.getUserInfo().split(":", 2);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + u.getPath()
                + "?sslmode=disable&assumeMinServerVersion=10&connectTimeout=40" + params, userInfo[0], userInfo[1]);
    }

    private static int drain(ResultSet rs) throws SQLException {
        int n = 0;
        try (rs) {
            while (rs.next()) {
                n++;
            }
        }
        return n;
    }
}
