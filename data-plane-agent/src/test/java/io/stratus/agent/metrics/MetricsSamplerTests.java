package io.stratus.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.Scram;
import io.stratus.agent.TestHost;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.NoCgroupDriver;
import io.stratus.agent.frontdoor.SessionCounts;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.protocol.ComputeMetrics;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Load samples of a real compute under real load: two owner connections over TCP burning CPU, one committing small
 * transactions, while the sampler runs about once a second as the agent runs it.
 */
class MetricsSamplerTests {

    private static final String DB = "app";
    private static final String OWNER = "app_owner";
    private static final String BURN = "SELECT count(*) FROM generate_series(1, 30000000)";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TestHost host;
    private AgentPaths paths;
    private ReleaseCatalog releases;
    private OsUser user;

    @BeforeEach
    void setUp() {
        host = new TestHost();
        paths = host.paths();
        releases = new ReleaseCatalog(List.of(), paths.releases());
        user = OsUser.forPostgres("postgres");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        host.close();
    }

    // A quarter CU on a host with cgroups: the load is held to a quarter of a core and the sampler sees it throttled.
    @Test
    void seesLoadAndThrottlingWhileItRunsAndQuietAfterwards() throws Exception {
        CgroupDriver cgroups = host.cgroups();
        ComputeSpec spec = spec("0.25");
        MetricsSampler sampler = startCompute(cgroups, spec);

        List<ComputeMetrics> underLoad;
        try (Load load = new Load(spec)) {
            underLoad = sampleFor(sampler, Duration.ofSeconds(3));
            assertThat(load.failures).isEmpty();
        }
        List<ComputeMetrics> quiet = sampleAfterQuiet(sampler);
        System.out.println("under load: " + underLoad);
        System.out.println("afterwards: " + quiet);

        ComputeMetrics busy = underLoad.get(underLoad.size() - 1);
        assertThat(busy.computeId()).isEqualTo(spec.computeId());
        assertThat(busy.allowedCu()).isEqualByComparingTo("0.25");
        assertThat(busy.cpuUsedCores()).isGreaterThan(0.1);
        assertThat(busy.activeConnections()).isGreaterThanOrEqualTo(2);
        assertThat(busy.memoryWorkingSetBytes()).isPositive();
        assertThat(underLoad).anySatisfy(m -> assertThat(m.transactionsPerSecond()).isPositive());
        if (cgroups.enforces()) {
            // Two busy backends on a two-core host would use ~2 cores unthrottled.
            assertThat(busy.cpuUsedCores()).isLessThan(0.4);
            assertThat(busy.throttledFraction()).isGreaterThan(0.0);
            assertThat(busy.memoryLimitBytes()).isEqualTo(1L << 30);
            assertThat(busy.memoryWorkingSetBytes()).isLessThan(1L << 30);
        } else {
            assertThat(busy.throttledFraction()).isZero();
            assertThat(busy.memoryLimitBytes()).isZero();
        }
        ComputeMetrics idle = quiet.get(quiet.size() - 1);
        assertThat(idle.cpuUsedCores()).isLessThan(0.05);
        assertThat(idle.activeConnections()).as("the sampler's own connection is not counted").isZero();
        assertThat(idle.throttledFraction()).isLessThan(0.1);
    }

    // Without cgroups (or with a compute outside its group) CPU and memory come from /proc and nothing is limited.
    @Test
    void readsProcWhenTheComputeIsInNoCgroup() throws Exception {
        ComputeSpec spec = spec("1");
        MetricsSampler sampler = startCompute(new NoCgroupDriver(), spec);

        List<ComputeMetrics> underLoad;
        try (Load load = new Load(spec)) {
            underLoad = sampleFor(sampler, Duration.ofSeconds(2));
        }
        List<ComputeMetrics> quiet = sampleAfterQuiet(sampler);
        System.out.println("from /proc, under load: " + underLoad + "; afterwards: " + quiet);

        ComputeMetrics busy = underLoad.get(underLoad.size() - 1);
        assertThat(busy.cpuUsedCores()).isGreaterThan(0.1);
        assertThat(busy.throttledFraction()).isZero();
        assertThat(busy.memoryLimitBytes()).isZero();
        assertThat(busy.memoryWorkingSetBytes()).isPositive();
        assertThat(busy.activeConnections()).isGreaterThanOrEqualTo(2);
        assertThat(quiet.get(quiet.size() - 1).cpuUsedCores()).isLessThan(0.05);
    }

    // A backend past the compute's memory limit is killed by the kernel (and Postgres resets every session): the next
    // sample says so, so the control plane can tell the tenant and take it as a need for more memory.
    @Test
    void countsABackendTheKernelKilledForMemory() throws Exception {
        CgroupDriver cgroups = host.enforcingCgroups(); // a memory limit the agent can write
        ComputeSpec spec = spec("0.25"); // a 1 GiB limit
        MetricsSampler sampler = startCompute(cgroups, spec);
        sampler.sample();

        try (Connection c = DriverManager.getConnection(TestHost.socketUrl(TestHost.computeSocket(paths, spec.computeId()), DB),
                OWNER, "pw"); Statement st = c.createStatement()) {
            // Two 500 MB strings and their 1000 MB concatenation: 2 GB touched in one backend.
            st.executeQuery("SELECT length(repeat('x', 500000000) || repeat('y', 500000000))");
            org.assertj.core.api.Assertions.fail("a 2 GB statement completed under a 1 GiB limit");
        } catch (SQLException expected) {
            System.out.println("the statement failed as expected: " + expected.getMessage());
        }
        List<ComputeMetrics> after = new ArrayList<>();
        for (int i = 0; i < 10 && after.stream().mapToInt(ComputeMetrics::oomKills).sum() == 0; i++) {
            Thread.sleep(500);
            after.addAll(sampler.sample());
        }
        assertThat(after.stream().mapToInt(ComputeMetrics::oomKills).sum()).isEqualTo(1);
        Thread.sleep(500);
        assertThat(sampler.sample()).allSatisfy(m -> assertThat(m.oomKills()).as("counted once").isZero());
    }

    @Test
    void reportsAComputeFromItsSecondSampleOn() throws Exception {
        ComputeSpec spec = spec("1");
        MetricsSampler sampler = startCompute(host.cgroups(), spec);

        assertThat(sampler.sample()).as("a rate needs two readings").isEmpty();
        Thread.sleep(200);
        assertThat(sampler.sample()).singleElement().satisfies(m -> {
            assertThat(m.computeId()).isEqualTo(spec.computeId());
            assertThat(m.newSessions()).as("the sampler's own connection is no client session").isZero();
        });
        // A client too quick for any snapshot of connections: it connects, runs a statement and leaves in between.
        for (int i = 0; i < 2; i++) {
            try (Connection c = DriverManager.getConnection(TestHost.socketUrl(TestHost.computeSocket(paths, spec.computeId()), DB),
                    OWNER, "pw"); Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            }
        }
        // Closing a JDBC connection only sends Terminate: its backend is listed in pg_stat_activity until it has
        // exited, which on a loaded host can outlast the next sample (it is then counted as connected, rightly). So
        // sample until the server has let both go: the sessions are counted once, in whichever samples saw them.
        List<ComputeMetrics> afterwards = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            afterwards.addAll(sampler.sample());
            assertThat(afterwards).last().satisfies(m -> assertThat(m.activeConnections()).isZero());
            assertThat(afterwards.stream().mapToInt(ComputeMetrics::newSessions).sum()).isGreaterThanOrEqualTo(2);
        });
        assertThat(afterwards).allSatisfy(m -> assertThat(m.computeId()).isEqualTo(spec.computeId()));
        assertThat(afterwards.stream().mapToInt(ComputeMetrics::newSessions).sum()).as("each session once").isEqualTo(2);
    }

    @Test
    void sessionsTheFrontDoorRelayedCountTooTheShortOnesAndTheOpenOnes() throws Exception {
        ComputeSpec spec = spec("0.25");
        SessionCounts frontDoor = new SessionCounts();
        MetricsSampler sampler = startCompute(new NoCgroupDriver(), spec, frontDoor);
        sampler.sample();
        sampler.sample();

        // Between two samples: one session came and went, one stays (as counted while relaying; Postgres saw none of
        // them, so only the front door's counts can say so).
        frontDoor.opened(spec.computeId());
        frontDoor.closed(spec.computeId());
        frontDoor.opened(spec.computeId());
        List<ComputeMetrics> samples = sampler.sample();

        assertThat(samples).singleElement().satisfies(m -> {
            assertThat(m.newSessions()).isEqualTo(2);
            assertThat(m.activeConnections()).isEqualTo(1);
        });
    }

    private MetricsSampler startCompute(CgroupDriver cgroups, ComputeSpec spec) throws Exception {
        return startCompute(cgroups, spec, new SessionCounts());
    }

    private MetricsSampler startCompute(CgroupDriver cgroups, ComputeSpec spec, SessionCounts frontDoor)
            throws Exception {
        ComputeReconciler reconciler = new ComputeReconciler(host.settings(0), paths, releases,
                new WarmPool(0, paths, releases, user), user, cgroups, JsonMapper.builder().build(), Clock.systemUTC(),
                e -> { });
        reconciler.start();
        toClose.add(reconciler::stop);
        var observed = reconciler.apply(new DesiredState(UUID.randomUUID(), 1, List.of(spec))).get(120, TimeUnit.SECONDS);
        assertThat(observed.computes().get(0).phase()).isEqualTo(ComputePhase.RUNNING);
        MetricsSampler sampler = new MetricsSampler(reconciler, cgroups, frontDoor, Clock.systemUTC());
        toClose.add(sampler);
        return sampler;
    }

    /** Samples once a second for {@code duration}, after a first reading to diff against. */
    private static List<ComputeMetrics> sampleFor(MetricsSampler sampler, Duration duration) throws InterruptedException {
        List<ComputeMetrics> samples = new ArrayList<>();
        sampler.sample();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            samples.addAll(sampler.sample());
        }
        assertThat(samples).isNotEmpty();
        return samples;
    }

    /** Samples over the second after a settling second (the first may still hold the load's tail). */
    private static List<ComputeMetrics> sampleAfterQuiet(MetricsSampler sampler) throws InterruptedException {
        Thread.sleep(1000);
        sampler.sample();
        Thread.sleep(1000);
        List<ComputeMetrics> samples = sampler.sample();
        assertThat(samples).hasSize(1);
        return samples;
    }

    private ComputeSpec spec(String cu) {
        return ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName(DB).ownerRole(OWNER)
                .ownerVerifier(Scram.verifier("pw")).running(true).cu(new BigDecimal(cu)).minCu(new BigDecimal("0.25"))
                .maxCu(BigDecimal.valueOf(2))
                .release(String.valueOf(releases.defaultRelease().major())).specVersion(1).build();
    }

    /** Two connections burning CPU and one committing small transactions, as the owner over TCP, until closed. */
    private final class Load implements AutoCloseable {

        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Statement> statements = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        Load(ComputeSpec spec) {
            for (String sql : List.of(BURN, BURN, "SELECT 1")) {
                Thread t = new Thread(() -> loop(spec, sql), "load");
                t.start();
                threads.add(t);
            }
        }

        private void loop(ComputeSpec spec, String sql) {
            try (Connection c = DriverManager.getConnection(TestHost.socketUrl(TestHost.computeSocket(paths, spec.computeId()), DB),
                    OWNER, "pw"); Statement st = c.createStatement()) {
                statements.add(st);
                while (running.get()) {
                    st.execute(sql);
                }
            } catch (SQLException e) {
                if (running.get()) {
                    failures.add(e);
                }
            }
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            for (Statement st : statements) {
                st.cancel();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }
}
