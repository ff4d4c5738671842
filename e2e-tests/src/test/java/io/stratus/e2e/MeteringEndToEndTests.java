package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Per-request metering through a real agent and compute: every statement the tenant runs is counted exactly once, the
 * agent's own monitoring and autovacuum never, and a kill -9 of the agent neither loses nor doubles usage.
 */
class MeteringEndToEndTests {

    /** The agent's usage interval and the roll-up interval in this test. */
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    private StratusProcesses stratus;
    private E2e.Tenant tenant;

    @BeforeEach
    void start() {
        stratus = new StratusProcesses()
                .withControlPlaneEnv("STRATUS_METERING_ROLLUP_INTERVAL", "1s")
                .withAgentEnv("STRATUS_AGENT_USAGE_INTERVAL", "1s");
        stratus.start();
        tenant = E2e.newTenant(stratus.api());
    }

    @AfterEach
    void stop() throws Exception {
        stratus.close();
    }

    @Test
    void everyStatementIsCountedOnceAlsoAcrossAnAgentKill() throws Exception {
        ApiClient api = stratus.api();
        var db = E2e.create(api, tenant, "metered");
        assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");

        // Each execute() is one top-level statement, one request; BEGIN and ROLLBACK frame requests and are none.
        int n = 0;
        List<Connection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                connections.add(connect(db.uri()));
            }
            n += run(connections.get(0),
                    "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 50000) g");
            for (int i = 0; i < 10; i++) {
                n += run(connections.get(1 + i % 2), "SELECT count(*) FROM items WHERE id % 7 = " + i);
            }
            n += run(connections.get(2),
                    "BEGIN",
                    "INSERT INTO items VALUES (100001, 'x')",
                    "UPDATE items SET v = 'y' WHERE id <= 10",
                    "ROLLBACK") - 2;
            // A large delete wakes autovacuum in this database: its work must not be billed as requests.
            n += run(connections.get(0), "DELETE FROM items WHERE id <= 40000");
            // Wait until autovacuum has been through the table (naptime is a minute); each look is a statement too.
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            boolean vacuumed = false;
            while (!vacuumed && System.nanoTime() < deadline) {
                try (Statement st = connections.get(1).createStatement();
                     ResultSet rs = st.executeQuery("SELECT autovacuum_count + autoanalyze_count FROM pg_stat_user_tables "
                             + "WHERE relname = 'items'")) {
                    n++;
                    rs.next();
                    vacuumed = rs.getLong(1) > 0;
                }
                if (!vacuumed) {
                    Thread.sleep(2000);
                }
            }
            assertThat(vacuumed).as("autovacuum or autoanalyze ran on the table").isTrue();
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        assertThat(n).isGreaterThan(17);

        awaitRequests(api, db.id(), n);
        // And it stays there: more usage intervals (idle records, autovacuum, the agent's own queries) add nothing.
        for (int i = 0; i < 5; i++) {
            Thread.sleep(INTERVAL.multipliedBy(2).toMillis());
            assertThat(requests(api, db.id())).isEqualTo(n);
        }

        int m = 0;
        try (Connection c = connect(db.uri())) {
            m += run(c, "INSERT INTO items VALUES (200000, 'late')", "SELECT * FROM items WHERE id = 200000",
                    "UPDATE items SET v = 'later' WHERE id = 200000");
        }
        // The front door counts them and the meter spools them within a second: once delivered, a kill and restart of
        // the agent (its spool, cursors and a new tally from zero) must not count or deliver anything twice. (What a
        // kill loses before the flush is FrontDoorMeteringEndToEndTests'.)
        awaitRequests(api, db.id(), n + m);
        stratus.killAgent();
        stratus.startAgent();
        awaitRequests(api, db.id(), n + m);
        for (int i = 0; i < 5; i++) {
            Thread.sleep(INTERVAL.multipliedBy(2).toMillis());
            assertThat(requests(api, db.id())).isEqualTo(n + m);
        }
        JsonNode tenantUsage = usage(api, "/v1/tenants/" + tenant.id() + "/usage");
        long tenantRequests = 0;
        for (JsonNode p : tenantUsage.get("series")) {
            tenantRequests += p.get("requests").asLong();
        }
        assertThat(tenantRequests).isEqualTo(n + m);
    }

    /**
     * Without a minimum server version pgjdbc runs {@code SET extra_float_digits = 3} as a statement on every new
     * connection, which is metered like any other (rightly: the client ran it). Telling it the server is recent makes
     * it send the setting in the startup packet instead, so the test's statements are exactly the ones it counts.
     */
    private static Connection connect(String uri) throws Exception {
        URI u = URI.create(uri);
        String[] userInfo = u.getUserInfo().split(":", 2);
        return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath()
                + "?connectTimeout=5&assumeMinServerVersion=10", userInfo[0], userInfo[1]);
    }

    private static int run(Connection c, String... statements) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
        return statements.length;
    }

    private void awaitRequests(ApiClient api, String db, long expected) {
        long[] last = new long[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .alias("usage reaches " + expected + " requests")
                .until(() -> {
                    last[0] = requests(api, db);
                    assertThat(last[0]).as("never more than was run").isLessThanOrEqualTo(expected);
                    return last[0] == expected;
                });
    }

    private long requests(ApiClient api, String db) {
        long sum = 0;
        for (JsonNode p : usage(api, "/v1/databases/" + db + "/usage").get("series")) {
            sum += p.get("requests").asLong();
        }
        return sum;
    }

    /** The whole of yesterday, today and tomorrow by day: whatever the hour now, every bucket of this test. */
    private JsonNode usage(ApiClient api, String path) {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        var r = api.get(tenant.adminKey(), path + "?granularity=day&from=" + today.minus(Duration.ofDays(1)) + "&to="
                + today.plus(Duration.ofDays(2)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }
}
