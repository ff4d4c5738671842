package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.postgres.LocalPostgres;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ReleaseLocator;
import io.stratus.testing.ApiClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The front door against raw PostgreSQL and PgBouncer on the same machine in the same run (issue #18): wake time,
 * relay throughput (pgbench select-only, 8 clients), connection set-up, and 500 held sessions. Run with
 * {@code ./mvnw -Pbench verify -pl e2e-tests -Dit.test=FrontDoorBenchmark}; needs Debian's pgbouncer.
 */
class FrontDoorBenchmark {

    private static final Path PGBOUNCER = Path.of("/usr/sbin/pgbouncer");
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
    private static final int WAKES = Integer.getInteger("bench.wakes", 10);
    private static final int CONNECTS = Integer.getInteger("bench.connects", 200);
    private static final int SESSIONS = Integer.getInteger("bench.sessions", 500);
    /** Which parts to run: relay, connect, wake, sessions, metering. */
    private static final List<String> PARTS = List.of(System.getProperty("bench.parts",
                    "relay,connect,wake,sessions,metering")
            .split(","));

    @Test
    void frontDoorVersusRawPostgresAndPgBouncer() throws Exception {
        assertThat(Pgbench.PGBENCH).exists();
        assertThat(PGBOUNCER).as("apt-get install pgbouncer").exists();
        StringBuilder report = new StringBuilder("front door (" + ROUNDS + " rounds of " + SECONDS + " s each)\n");
        Path base = Path.of("/tmp", "stratus-bench-fd-" + ProcessHandle.current().pid());
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        StratusProcesses stack = new StratusProcesses().withAgentFullyCompiled();
        if (System.getProperty("bench.ioThreads") != null) {
            stack.withAgentEnv("STRATUS_AGENT_FRONT_DOOR_IO_THREADS", System.getProperty("bench.ioThreads"));
            report.append("  front door io-threads ").append(System.getProperty("bench.ioThreads")).append('\n');
        }
        try (StratusProcesses stratus = stack) {
            stratus.start();
            ApiClient api = stratus.api();
            E2e.Tenant tenant = E2e.newTenant(api);
            Db relay = Db.create(stratus, api, tenant, "relay", "2", "2");
            PostgresRelease release = relay.release(stratus);
            try (LocalPostgres raw = LocalPostgres.start(base.resolve("raw"), release, OsUser.forPostgres("postgres"),
                    "bench", true, sameSettings(relay.cluster(stratus)));
                 PgBouncer bouncer = PgBouncer.start(base.resolve("pgbouncer"), relay, stratus)) {
                URI rawUri = URI.create("postgresql://bench:" + raw.password() + "@127.0.0.1:" + raw.port() + "/postgres");
                URI bouncerUri = URI.create("postgresql://" + relay.owner() + ":" + relay.password() + "@127.0.0.1:"
                        + bouncer.port() + "/relay");
                Pgbench.run(relay.uri(), "-i", "-s", "10", "-q");
                Pgbench.run(rawUri, "-i", "-s", "10", "-q");

                if (PARTS.contains("relay")) {
                    relayThroughput(report, rawUri, relay.uri(), bouncerUri);
                }
                if (PARTS.contains("connect")) {
                    connectionSetUp(report, rawUri, relay.uri());
                }
                if (PARTS.contains("wake")) {
                    wake(report, stratus, api, tenant, raw);
                }
                if (PARTS.contains("sessions")) {
                    manySessions(report, stratus, api, tenant, relay.uri());
                }
                if (PARTS.contains("metering")) {
                    meteringOverhead(report, stratus, relay.uri());
                }
            }
        } finally {
            PostgresCluster.deleteRecursively(base);
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** pgbench -S, 8 clients, the three ways in alternating order each round; medians. */
    private static void relayThroughput(StringBuilder report, URI raw, URI frontDoor, URI bouncer) throws Exception {
        Map<String, List<Double>> tps = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(List.of("raw", "front door", "pgbouncer"));
        Map<String, URI> uris = Map.of("raw", raw, "front door", frontDoor, "pgbouncer", bouncer);
        Pgbench.run(raw, "-S", "-c", "8", "-j", "2", "-T", "3");
        Pgbench.run(frontDoor, "-S", "-c", "8", "-j", "2", "-T", "3"); // warm-up: JIT, buffers
        for (int r = 0; r < ROUNDS; r++) {
            for (String way : order) {
                tps.computeIfAbsent(way, k -> new ArrayList<>()).add(Pgbench.tps(Pgbench.run(uris.get(way), "-S", "-c", "8",
                        "-j", "2", "-T", String.valueOf(SECONDS))));
            }
            Collections.rotate(order, 1);
        }
        double rawTps = median(tps.get("raw"));
        report.append(String.format("  pgbench -S -c 8 -j 2, TPS median (rounds %s)%n", tps));
        report.append(String.format("    raw %.0f   front door %.0f (%.3fx)   pgbouncer session mode %.0f (%.3fx)%n",
                rawTps, median(tps.get("front door")), median(tps.get("front door")) / rawTps,
                median(tps.get("pgbouncer")), median(tps.get("pgbouncer")) / rawTps));
    }

    /**
     * What counting on the wire costs (issue #19): pgbench through the same front door with metering on and off (the
     * agent killed and started again with the other setting between the two; its computes run on), select-only and
     * TPC-B, simple and prepared, 8 clients; medians of the rounds, each round both ways in alternating order.
     */
    private static void meteringOverhead(StringBuilder report, StratusProcesses stratus, URI frontDoor) throws Exception {
        Map<String, String> workloads = new LinkedHashMap<>();
        workloads.put("select-only simple", "-S -M simple");
        workloads.put("select-only prepared", "-S -M prepared");
        workloads.put("tpc-b simple", "-M simple");
        workloads.put("tpc-b prepared", "-M prepared");
        Map<String, List<Double>> on = new LinkedHashMap<>();
        Map<String, List<Double>> off = new LinkedHashMap<>();
        boolean metering = true;
        for (int r = 0; r < ROUNDS * 2; r++) {
            for (Map.Entry<String, String> w : workloads.entrySet()) {
                List<String> args = new ArrayList<>(List.of(w.getValue().split(" ")));
                args.addAll(List.of("-c", "8", "-j", "2", "-T", String.valueOf(SECONDS)));
                (metering ? on : off).computeIfAbsent(w.getKey(), k -> new ArrayList<>())
                        .add(Pgbench.tps(Pgbench.run(frontDoor, args.toArray(String[]::new))));
            }
            metering = !metering;
            stratus.killAgent();
            stratus.withAgentEnv("STRATUS_AGENT_FRONT_DOOR_METERING", String.valueOf(metering));
            stratus.startAgent();
        }
        report.append("  metering on the wire: pgbench -c 8 -j 2 through the front door, TPS medians, on vs off\n");
        for (String w : workloads.keySet()) {
            report.append(String.format("    %-22s on %.0f  off %.0f  (%.3fx)   rounds on %s off %s%n", w,
                    median(on.get(w)), median(off.get(w)), median(on.get(w)) / median(off.get(w)), on.get(w), off.get(w)));
        }
    }

    /** pgjdbc connect (SCRAM) + SELECT 1 + close, alternating raw and front door; p50 of each. */
    private static void connectionSetUp(StringBuilder report, URI raw, URI frontDoor) throws Exception {
        List<Double> rawTimes = new ArrayList<>();
        List<Double> doorTimes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            connectOnce(raw);
            connectOnce(frontDoor);
        }
        for (int i = 0; i < CONNECTS; i++) {
            rawTimes.add(connectOnce(raw));
            doorTimes.add(connectOnce(frontDoor));
        }
        report.append(String.format("  connect + first query (pgjdbc, SCRAM), %d each: raw p50 %.2f ms, front door p50"
                        + " %.2f ms (%.3fx); p95 %.2f / %.2f ms%n", CONNECTS, pct(rawTimes, 50), pct(doorTimes, 50),
                pct(doorTimes, 50) / pct(rawTimes, 50), pct(rawTimes, 95), pct(doorTimes, 95)));
    }

    /**
     * Suspended database: connect through the front door to first row. Raw, the same release and settings: plain
     * {@code pg_ctl start} (its -w looks every 100 ms) + connect + first row, and the agent's way of starting
     * ({@link PostgresCluster#start}: pg_ctl -W, postmaster.pid watched every 5 ms) + connect + first row.
     */
    private static void wake(StringBuilder report, StratusProcesses stratus, ApiClient api, E2e.Tenant tenant,
                             LocalPostgres raw) throws Exception {
        Db sleeper = Db.create(stratus, api, tenant, "sleeper", "0.25", "1");
        URI rawUri = URI.create("postgresql://bench:" + raw.password() + "@127.0.0.1:" + raw.port() + "/postgres");
        PostgresCluster cluster = raw.cluster();
        List<Double> pgCtlTimes = new ArrayList<>();
        List<Double> fastTimes = new ArrayList<>();
        List<Double> wakeTimes = new ArrayList<>();
        for (int i = 0; i < WAKES; i++) {
            cluster.stop();
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cluster.user().command(List.of(cluster.release().pgCtl().toString(), "-D",
                    cluster.dataDir().toString(), "-l", cluster.dataDir().resolve("postgres.log").toString(), "start")))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
            firstRow(rawUri);
            pgCtlTimes.add((System.nanoTime() - t0) / 1e6);

            cluster.stop();
            long t1 = System.nanoTime();
            cluster.start();
            firstRow(rawUri);
            fastTimes.add((System.nanoTime() - t1) / 1e6);

            var s = api.post(tenant.adminKey(), "/v1/databases/" + sleeper.id() + "/suspend", null);
            assertThat(E2e.awaitOperation(api, tenant, s.at("/operation/id").asString(), Duration.ofSeconds(60)))
                    .isEqualTo("SUCCEEDED"); // reported stopped: nothing of it runs any more
            long t2 = System.nanoTime();
            firstRow(sleeper.uri());
            wakeTimes.add((System.nanoTime() - t2) / 1e6);
        }
        report.append(String.format("  wake, %d times, p50 / p95: raw pg_ctl start + connect + first row %.0f / %.0f ms;"
                        + " raw started as the agent starts computes %.0f / %.0f ms; front door on a suspended database"
                        + " %.0f / %.0f ms: %.2fx / %.2fx raw pg_ctl start (%.2fx / %.2fx the agent's start)%n", WAKES,
                pct(pgCtlTimes, 50), pct(pgCtlTimes, 95), pct(fastTimes, 50), pct(fastTimes, 95), pct(wakeTimes, 50),
                pct(wakeTimes, 95), pct(wakeTimes, 50) / pct(pgCtlTimes, 50), pct(wakeTimes, 95) / pct(pgCtlTimes, 95),
                pct(wakeTimes, 50) / pct(fastTimes, 50), pct(wakeTimes, 95) / pct(fastTimes, 95)));
    }

    /** 500 sessions held through the front door over four databases: its memory per session, and TPS beside them. */
    private static void manySessions(StringBuilder report, StratusProcesses stratus, ApiClient api, E2e.Tenant tenant,
                                     URI busy) throws Exception {
        List<Db> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            idle.add(Db.create(stratus, api, tenant, "idle" + i, "0.25", "2"));
        }
        double without1 = Pgbench.tps(Pgbench.run(busy, "-S", "-c", "8", "-j", "2", "-T", String.valueOf(SECONDS)));
        System.gc();
        long before = rssKb(stratus.agentPid());
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS; i++) {
                held.add(E2e.connect(idle.get(i % idle.size()).uri().toString()));
            }
            long after = rssKb(stratus.agentPid());
            double with = Pgbench.tps(Pgbench.run(busy, "-S", "-c", "8", "-j", "2", "-T", String.valueOf(SECONDS)));
            for (Connection c : held) {
                assertThat(c.isValid(5)).isTrue();
            }
            report.append(String.format("  %d sessions held through one front door: agent RSS %d -> %d MB (%.1f KB per"
                            + " session); pgbench -S TPS on another database %.0f with them vs %.0f without (%.3fx)%n",
                    SESSIONS, before / 1024, after / 1024, (after - before) / (double) SESSIONS, with, without1,
                    with / without1));
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    private static double connectOnce(URI uri) throws Exception {
        long t0 = System.nanoTime();
        firstRow(uri);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void firstRow(URI uri) throws Exception {
        try (Connection c = E2e.connect(uri.toString()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    /** The compute's settings file, for a raw cluster of the same release set up alike (not its socket or port). */
    private static Map<String, String> sameSettings(PostgresCluster compute) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(compute.dataDir().resolve(PostgresCluster.SETTINGS_FILE))) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || eq < 0) {
                continue;
            }
            String name = line.substring(0, eq).trim();
            String value = line.substring(eq + 1).trim().replaceAll("^'(.*)'$", "$1");
            if (!List.of("port", "listen_addresses", "unix_socket_directories", "unix_socket_permissions").contains(name)) {
                settings.put(name, value);
            }
        }
        return settings;
    }

    private record Db(String id, URI uri, String owner, String password) {

        static Db create(StratusProcesses stratus, ApiClient api, E2e.Tenant tenant, String name, String minCu,
                         String maxCu) {
            var r = api.post(tenant.adminKey(), "/v1/databases", "{\"name\":\"" + name + "\",\"minCu\":" + minCu
                    + ",\"maxCu\":" + maxCu + ",\"suspendTimeoutSeconds\":0}");
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            assertThat(E2e.awaitOperation(api, tenant, r.at("/operation/id").asString(), Duration.ofSeconds(120)))
                    .isEqualTo("SUCCEEDED");
            return new Db(r.at("/database/id").asString(), URI.create(r.at("/connection/uri").asString()),
                    r.at("/connection/user").asString(), r.at("/connection/password").asString());
        }

        PostgresCluster cluster(StratusProcesses stratus) {
            return new PostgresCluster(release(stratus), pgdata(stratus), OsUser.forPostgres("postgres"));
        }

        PostgresRelease release(StratusProcesses stratus) {
            try {
                String major = Files.readString(pgdata(stratus).resolve("PG_VERSION")).trim();
                return new ReleaseLocator(List.of(), stratus.agentDataDir().resolve("releases")).find(major).orElseThrow();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        Path pgdata(StratusProcesses stratus) {
            return stratus.agentDataDir().resolve("computes").resolve(id).resolve("pgdata");
        }
    }

    /** Debian's PgBouncer in session mode in front of the compute's socket, run as the Postgres OS user. */
    private record PgBouncer(Process process, int port) implements AutoCloseable {

        static PgBouncer start(Path dir, Db db, StratusProcesses stratus) throws Exception {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            int port = PostgresCluster.freePort();
            Path socketDir = db.cluster(stratus).socketDir();
            Files.writeString(dir.resolve("userlist.txt"), "\"" + db.owner() + "\" \"" + db.password() + "\"\n");
            Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                    "[databases]",
                    "relay = host=" + socketDir + " port=5432 dbname=relay",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = scram-sha-256",
                    "auth_file = " + dir.resolve("userlist.txt"),
                    "pool_mode = session",
                    "max_client_conn = 200",
                    "default_pool_size = 20",
                    "logfile = " + dir.resolve("pgbouncer.log"),
                    "") );
            for (String f : List.of("userlist.txt", "pgbouncer.ini")) {
                Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
            }
            Process p = new ProcessBuilder("runuser", "-u", "postgres", "--", PGBOUNCER.toString(),
                    dir.resolve("pgbouncer.ini").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                            return true;
                        }
                    });
            return new PgBouncer(p, port);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor();
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static double median(List<Double> values) {
        return pct(values, 50);
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
