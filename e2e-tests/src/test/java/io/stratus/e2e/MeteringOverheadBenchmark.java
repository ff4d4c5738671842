package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.ReleaseLocator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * pgbench TPS on one compute while the agent meters it (pg_stat_statements preloaded, usage read every
 * {@code bench.usageInterval}, the product's default 10 s unless set) against the same compute, same data and
 * settings, restarted without pg_stat_statements and with no agent at all (raw), and with pg_stat_statements but no agent (what the extension
 * costs by itself); rounds alternate the order. Run with {@code ./mvnw -Pbench verify}.
 */
class MeteringOverheadBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.pgbenchSeconds", 15);
    /** Even, so that each set-up runs early in as many rounds as it runs late (ABC, CBA): linear drift cancels. */
    private static final int ROUNDS = Integer.getInteger("bench.pgbenchRounds", 4);
    /**
     * CU of each side-by-side compute. Below the machine's two cores (0.5 + 0.5 leaves a core for the pgbench
     * clients, the agent and the JVMs) each compute's throughput is set by its own CPU quota rather than by what else
     * the machine runs: TPS per CU, what a tenant buys, with anything metering adds inside the compute (the extension
     * in every backend, the agent's reads) paid from the same quota.
     */
    private static final String SIDE_BY_SIDE_CU = System.getProperty("bench.cu", "0.5");
    /**
     * An A/A check of the side-by-side design: both computes metered, so any ratio away from 1 is the design's own
     * bias or noise, not metering.
     */
    private static final boolean SIDE_BY_SIDE_AA = Boolean.getBoolean("bench.aa");
    /**
     * How often the agent reads usage: the product's default, 10 s, unless set (1s reads ten times as often: the
     * agent's share, magnified).
     */
    private static final String USAGE_INTERVAL = System.getProperty("bench.usageInterval", "10s");
    /**
     * pgbench's query mode in the side-by-side design: {@code simple} (pgbench's default; psycopg2 and psql send
     * statements so) or {@code prepared} (what pgjdbc does after five executions of a statement, and most drivers with
     * server-side prepared statements): pg_stat_statements jumbles a prepared statement once, not on every execution.
     */
    private static final String PGBENCH_MODE = System.getProperty("bench.pgbenchMode", "simple");

    @Test
    void pgbenchWithMeteringVersusWithout() throws Exception {
        assertThat(Pgbench.PGBENCH).as("pgbench from Debian's postgresql-15 (.ci/run installs it)").exists();
        try (StratusProcesses stratus = meteringStack()) {
            BenchCompute bench = BenchCompute.create(stratus, stratus.api(), E2e.newTenant(stratus.api()), "bench", "2");
            URI uri = bench.uri();
            Pgbench.run(uri, "-i", "-s", "10", "-q");

            // Rounds alternate the order of the three set-ups (ABC, CBA, ...), so drift (caches, other load on the
            // machine) hits all alike.
            Setups setups = new Setups(stratus, bench);
            Setups.settle();
            List<Double> selectRatios = new ArrayList<>();
            List<Double> tpcbRatios = new ArrayList<>();
            List<Double> selectAgentRatios = new ArrayList<>();
            List<String> rounds = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                List<Setup> order = new ArrayList<>(List.of(Setup.values()));
                if (i % 2 == 1) {
                    Collections.reverse(order);
                }
                double[] select = new double[Setup.values().length];
                double[] tpcb = new double[Setup.values().length];
                for (Setup setup : order) {
                    setups.switchTo(setup);
                    Pgbench.run(uri, "-S", "-c", "4", "-j", "2", "-T", "3"); // warm-up after each switch
                    select[setup.ordinal()] = Pgbench.tps(Pgbench.run(uri, "-S", "-c", "4", "-j", "2", "-T", String.valueOf(SECONDS)));
                    tpcb[setup.ordinal()] = Pgbench.tps(Pgbench.run(uri, "-c", "4", "-j", "2", "-T", String.valueOf(SECONDS)));
                }
                int m = Setup.METERED.ordinal();
                int raw = Setup.RAW.ordinal();
                int pgss = Setup.STATEMENT_STATS_ONLY.ordinal();
                selectRatios.add(select[m] / select[raw]);
                tpcbRatios.add(tpcb[m] / tpcb[raw]);
                selectAgentRatios.add(select[m] / select[pgss]);
                rounds.add(String.format("    round %d (%s): select-only %.0f / %.0f / %.0f tps, tpc-b %.0f / %.0f / %.0f tps%n",
                        i + 1, order.stream().map(Setup::letter).reduce("", String::concat), select[m], select[pgss],
                        select[raw], tpcb[m], tpcb[pgss], tpcb[raw]));
            }
            setups.switchTo(Setup.METERED);
            stratus.killAgent();
            bench.cluster().stop();

            String report = String.format("metering overhead: usage read every %s, pgbench -c 4 -j 2, %d s, scale 10, %d rounds"
                            + " (M metered / P pg_stat_statements, no agent / R raw: neither)%n%s"
                            + "  ratio of geometric means over the rounds, metered/raw: select-only %.3f x, tpc-b %.3f x"
                            + " (the agent's own share, metered/P, select-only: %.3f x)%n",
                    USAGE_INTERVAL, SECONDS, ROUNDS, String.join("", rounds), geometricMean(selectRatios),
                    geometricMean(tpcbRatios), geometricMean(selectAgentRatios));
            System.out.print(report);
            Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /**
     * The same question asked side by side: two computes with the same data run pgbench at the same time, one metered
     * and one raw, so whatever the machine does to one it does to the other in the same seconds (the alternating
     * rounds above cannot cancel drift within a round). Halfway through the two swap roles, so a difference between
     * the computes themselves cancels too.
     */
    @Test
    void pgbenchSideBySideWithAndWithoutMetering() throws Exception {
        assertThat(Pgbench.PGBENCH).as("pgbench from Debian's postgresql-15 (.ci/run installs it)").exists();
        try (StratusProcesses stratus = meteringStack()) {
            var api = stratus.api();
            var tenant = E2e.newTenant(api);
            BenchCompute a = BenchCompute.create(stratus, api, tenant, "side_a", SIDE_BY_SIDE_CU);
            BenchCompute b = BenchCompute.create(stratus, api, tenant, "side_b", SIDE_BY_SIDE_CU);
            Pgbench.run(a.uri(), "-i", "-s", "10", "-q");
            Pgbench.run(b.uri(), "-i", "-s", "10", "-q");

            List<Double> selectRatios = new ArrayList<>();
            List<Double> tpcbRatios = new ArrayList<>();
            List<String> rounds = new ArrayList<>();
            for (int half = 0; half < 2; half++) {
                BenchCompute metered = half == 0 ? a : b;
                BenchCompute raw = half == 0 ? b : a;
                metered.restart(true);
                raw.restart(SIDE_BY_SIDE_AA);
                Setups.settle();
                for (int i = 0; i < ROUNDS; i++) {
                    double[] select = together(metered.uri(), raw.uri(), "-S");
                    double[] tpcb = together(metered.uri(), raw.uri());
                    selectRatios.add(select[0] / select[1]);
                    tpcbRatios.add(tpcb[0] / tpcb[1]);
                    rounds.add(String.format("    round %d (%s metered): select-only %.0f / %.0f tps, tpc-b %.0f / %.0f tps%n",
                            rounds.size() + 1, metered.name(), select[0], select[1], tpcb[0], tpcb[1]));
                    System.out.print(rounds.get(rounds.size() - 1));
                }
            }
            a.restart(true);
            b.restart(true);

            String report = String.format("metering overhead side by side: two computes of %s CU at once, usage read every %s,"
                            + " each pgbench -M %s -c 2 -j 1, %d s, scale 10, %d rounds (metered / %s)%n%s"
                            + "  geometric mean of metered/%s: select-only %.3f x, tpc-b %.3f x%n",
                    SIDE_BY_SIDE_CU, USAGE_INTERVAL, PGBENCH_MODE, SECONDS, rounds.size(),
                    SIDE_BY_SIDE_AA ? "metered too: A/A check" : "raw", String.join("", rounds),
                    SIDE_BY_SIDE_AA ? "metered" : "raw", geometricMean(selectRatios), geometricMean(tpcbRatios));
            System.out.print(report);
            Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /**
     * Control plane and agent, usage read every {@link #USAGE_INTERVAL}. Autoscaling samples are not metering:
     * with a fixed CU they are switched off, so what is left is the cost of pg_stat_statements and of usage sampling
     * and shipping.
     */
    private static StratusProcesses meteringStack() throws Exception {
        StratusProcesses stratus = new StratusProcesses()
                .withAgentEnv("STRATUS_AGENT_USAGE_INTERVAL", USAGE_INTERVAL)
                .withAgentEnv("STRATUS_AGENT_METRICS_INTERVAL", "1h");
        try {
            stratus.start();
            return stratus;
        } catch (RuntimeException e) {
            stratus.close();
            throw e;
        }
    }

    /** pgbench against two databases over the same seconds; their TPS, in that order. */
    private static double[] together(URI first, URI second, String... mode) throws Exception {
        List<String> args = new ArrayList<>(List.of(mode));
        args.addAll(List.of("-M", PGBENCH_MODE, "-c", "2", "-j", "1", "-T", String.valueOf(SECONDS)));
        Process p1 = Pgbench.start(first, args.toArray(String[]::new));
        Process p2 = Pgbench.start(second, args.toArray(String[]::new));
        return new double[] {Pgbench.tps(Pgbench.output(p1)), Pgbench.tps(Pgbench.output(p2))};
    }

    /**
     * A benchmarked compute: a fixed CU (autoscaling must not move the numbers), never suspended, pg_stat_statements
     * switchable by a restart.
     */
    private record BenchCompute(String name, URI uri, PostgresCluster cluster, Path autoConf, String originalAutoConf) {

        static BenchCompute create(StratusProcesses stratus, io.stratus.testing.ApiClient api, E2e.Tenant tenant,
                                   String name, String cu) throws Exception {
            var r = api.post(tenant.adminKey(), "/v1/databases", "{\"name\":\"" + name + "\",\"minCu\":" + cu
                    + ",\"maxCu\":" + cu + ",\"suspendTimeoutSeconds\":0}");
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            String id = r.at("/database/id").asString();
            assertThat(E2e.awaitOperation(api, tenant, r.at("/operation/id").asString(), Duration.ofSeconds(120)))
                    .isEqualTo("SUCCEEDED");
            Path pgdata = stratus.agentDataDir().resolve("computes").resolve(id).resolve("pgdata");
            String major = Files.readString(pgdata.resolve("PG_VERSION")).trim();
            var release = new ReleaseLocator(List.of(), stratus.agentDataDir().resolve("releases")).find(major).orElseThrow();
            Path autoConf = pgdata.resolve("postgresql.auto.conf");
            return new BenchCompute(name, URI.create(r.at("/connection/uri").asString()),
                    new PostgresCluster(release, pgdata, OsUser.forPostgres("postgres")), autoConf, Files.readString(autoConf));
        }

        /**
         * Restarts the postmaster with or without pg_stat_statements; postgresql.auto.conf is read last, so it
         * overrides the agent's include. The file is written first: the agent restarts a postmaster it finds stopped,
         * and whichever start comes first must read the new setting.
         */
        void restart(boolean statementStats) throws IOException {
            Files.writeString(autoConf, statementStats ? originalAutoConf
                    : originalAutoConf + "\nshared_preload_libraries = ''\n");
            cluster.stop();
            try {
                cluster.start();
            } catch (RuntimeException e) {
                if (!cluster.isRunning()) {
                    throw e;
                }
                // The agent's health check found it stopped and started it first, with the file already written.
            }
        }
    }

    /** What runs besides Postgres. */
    private enum Setup {
        /** pg_stat_statements preloaded and the agent metering: what every compute runs. */
        METERED("M"),
        /** pg_stat_statements preloaded, no agent: the extension's own cost. */
        STATEMENT_STATS_ONLY("P"),
        /** Neither: raw Postgres. */
        RAW("R");

        private final String letter;

        Setup(String letter) {
            this.letter = letter;
        }

        String letter() {
            return letter;
        }
    }

    /** Switches one compute between the set-ups: the same postmaster, data and settings, restarted. */
    private static final class Setups {
        /** A fresh agent JVM compiles and adopts for a while; a compute lives with one that has long settled. */
        private static final Duration AGENT_SETTLE = Duration.ofSeconds(20);

        private final StratusProcesses stratus;
        private final BenchCompute compute;
        private Setup current = Setup.METERED;
        private boolean agentRunning = true;

        Setups(StratusProcesses stratus, BenchCompute compute) {
            this.stratus = stratus;
            this.compute = compute;
        }

        void switchTo(Setup setup) throws Exception {
            if (setup == current) {
                return;
            }
            if (agentRunning) {
                stratus.killAgent();
                agentRunning = false;
            }
            compute.restart(setup != Setup.RAW);
            if (setup == Setup.METERED) {
                // The agent adopts the running postmaster.
                stratus.startAgent();
                agentRunning = true;
                settle();
            }
            current = setup;
        }

        static void settle() throws InterruptedException {
            Thread.sleep(AGENT_SETTLE.toMillis());
        }
    }

    /**
     * The geometric mean of per-round ratios, which is the ratio of the set-ups' geometric means: every round weighs
     * alike, and with the order alternated a drift that slows (or speeds up) the machine through a round cancels out.
     */
    private static double geometricMean(List<Double> ratios) {
        return Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(Double.NaN));
    }
}
