package io.stratus.agent.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.Scram;
import io.stratus.agent.TestHost;
import io.stratus.agent.capacity.NoCgroupDriver;
import io.stratus.agent.computes.ComputeStopping;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.ComputesChanged;
import io.stratus.agent.computes.LoginProbe;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.agent.frontdoor.SessionCounts;
import io.stratus.agent.metrics.MetricsSampler;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.ProcessRunner;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.UsageRecord;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;
import tools.jackson.databind.json.JsonMapper;

/**
 * Usage metering against a real compute: the tenant's role runs statements, counted into the tally as the front door
 * would count them (the front door's own counting is FrontDoorMeteringEndToEndTests'), and the spooled records must add
 * up to exactly those requests and rows, with the compute's CU-seconds and storage, across restarts of the compute and
 * of the agent.
 */
class UsageMeterTests {

    private static final String DB = "app";
    private static final String OWNER = "app_owner";
    private static final String PASSWORD = "pw";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicReference<UsageMeter> meterRef = new AtomicReference<>();
    /** Off: the meter misses the last reading before a stop, as when the compute cannot be read then. */
    private final java.util.concurrent.atomic.AtomicBoolean readsOnStop = new java.util.concurrent.atomic.AtomicBoolean(true);
    private final List<UsageRecord> spooled = new ArrayList<>();
    private TestHost host;
    private AgentPaths paths;
    private ReleaseCatalog releases;
    private OsUser user;
    private ComputeReconciler reconciler;
    private ComputeSpec spec;
    private UsageSpool spool;
    /** The front door's tally: tenant() connects to the compute's socket directly, and run() counts as it would. */
    private WireTally tally = new WireTally();
    private long expectedRequests;
    private long expectedRead;
    private long expectedWritten;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost();
        paths = host.paths();
        releases = new ReleaseCatalog(List.of(), paths.releases());
        user = OsUser.forPostgres("postgres");
        reconciler = new ComputeReconciler(host.settings(0), paths, releases, new WarmPool(0, paths, releases, user), user,
                new NoCgroupDriver(), JsonMapper.builder().build(), Clock.systemUTC(), e -> {
                    UsageMeter m = meterRef.get();
                    if (m != null && e instanceof ComputesChanged changed) {
                        m.onComputesChanged(changed);
                    }
                    if (m != null && e instanceof ComputeStopping stopping && (stopping.deleting() || readsOnStop.get())) {
                        m.onComputeStopping(stopping);
                    }
                });
        reconciler.start();
        toClose.add(reconciler::stop);
        spec = ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName(DB).ownerRole(OWNER)
                .ownerVerifier(Scram.verifier(PASSWORD)).running(true).cu(BigDecimal.ONE).minCu(new BigDecimal("0.25"))
                .maxCu(BigDecimal.valueOf(2))
                .release(String.valueOf(releases.defaultRelease().major())).specVersion(1).build();
        spool = UsageSpool.open(spoolDir());
        meterRef.set(meter(spool));
        var observed = reconciler.apply(new DesiredState(UUID.randomUUID(), 1, List.of(spec))).get(120, TimeUnit.SECONDS);
        assertThat(observed.computes().get(0).phase()).isEqualTo(ComputePhase.RUNNING);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        host.close();
    }

    // The front door adds to the tally as it relays; a killed agent must lose at most a second of it, so what it
    // counted is spooled within that, long before the next full pass (ten minutes away here).
    @Test
    void whatTheFrontDoorCountedIsSpooledWithinASecondNotAtTheNextFullPass() throws Exception {
        UsageMeter production = new UsageMeter(reconciler, spool, tally, Clock.systemUTC(), Duration.ofMinutes(10),
                Duration.ofMinutes(5));
        meterRef.set(production);
        toClose.add(production::stop);
        production.start();
        spooled.addAll(production.meter());
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "CREATE TABLE t (id int)", Kind.OTHER, 0);
            run(st, "INSERT INTO t SELECT generate_series(1, 7)", Kind.WRITE, 7);
            run(st, "SELECT * FROM t", Kind.READ, 7);
        }
        Instant counted = Instant.now();

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            UsageCursor c = spool.cursor(spec.computeId()).orElseThrow();
            assertThat(c.calls()).isEqualTo(expectedRequests);
            assertThat(c.rowsRead()).isEqualTo(expectedRead);
            assertThat(c.rowsWritten()).isEqualTo(expectedWritten);
        });
        List<UsageRecord> records = spool.pending(1000);
        assertThat(records.stream().mapToLong(UsageRecord::requests).sum()).isEqualTo(expectedRequests);
        assertThat(records).allSatisfy(r -> assertThat(r.requestSource()).isEqualTo("front-door"));
        assertThat(Duration.between(counted, Instant.now())).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void nothingIsLostOrCountedTwiceAcrossCleanAndCrashRestartsOfTheComputeAndOfTheAgent() throws Exception {
        meter();
        PostgresCluster cluster = reconciler.running().get(0).cluster();
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "CREATE TABLE t (id int)", Kind.OTHER, 0);
            run(st, "INSERT INTO t SELECT generate_series(1, 10)", Kind.WRITE, 10);
        }
        meter();

        // A pass while the compute is down reads nothing.
        cluster.stop();
        meter();
        cluster.start();
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "SELECT * FROM t", Kind.READ, 10);
        }
        meter();
        assertThat(sum(UsageRecord::requests)).isEqualTo(expectedRequests);

        // The agent is killed (nothing closed) and starts again from its spool, with a new tally counting from zero.
        spool = UsageSpool.open(spoolDir());
        tally = new WireTally();
        meterRef.set(meter(spool));
        int beforeAgentRestart = spooled.size();
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "UPDATE t SET id = id + 1 WHERE id <= 4", Kind.WRITE, 4);
        }
        meter();
        assertThat(sum(UsageRecord::requests)).isEqualTo(expectedRequests);
        // What the dead agent counted after its last flush is lost: the first window after it says it may be short.
        assertThat(spooled.subList(beforeAgentRestart, spooled.size())).anySatisfy(rec -> assertThat(rec.exact()).isFalse());

        // A crash (immediate stop): what was metered before stays, what came after is counted.
        ProcessRunner.Result r = ProcessRunner.run(user.command(List.of(cluster.release().pgCtl().toString(), "-D",
                cluster.dataDir().toString(), "-m", "immediate", "-w", "stop")), Duration.ofSeconds(60));
        assertThat(r.ok()).as(r.output()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                cluster.start();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "SELECT * FROM t WHERE id > 5", Kind.READ, 5);
            run(st, "DELETE FROM t WHERE id = 7", Kind.WRITE, 1);
        }
        meter();
        assertThat(sum(UsageRecord::requests)).isEqualTo(expectedRequests);

        // A backend killed with SIGKILL: the postmaster reinitialises shared memory (pg_stat_statements' counters were
        // lost that way); the front door's are not.
        long pid;
        Connection doomed = tenant();
        try (Statement st = doomed.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            count(Kind.READ, 1);
            rs.next();
            pid = rs.getLong(1);
            meter();
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        try {
            doomed.close();
        } catch (SQLException expected) {
            // Its backend was killed under it: on a Unix socket the goodbye meets a broken pipe at once.
        }
        int beforeCrash = spooled.size();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try (Connection c = tenant(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE after_crash (id int)");
            }
            return true;
        });
        count(Kind.OTHER, 0);
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "SELECT * FROM t", Kind.READ, 9);
        }
        meter();
        // The compute's crashes cost no count: the front door's tally lives in the agent.
        assertThat(spooled.subList(beforeCrash, spooled.size())).allSatisfy(rec -> assertThat(rec.exact()).isTrue());

        assertThat(sum(UsageRecord::requests)).isEqualTo(expectedRequests);
        assertThat(sum(UsageRecord::rowsRead)).isEqualTo(expectedRead);
        assertThat(sum(UsageRecord::rowsWritten)).isEqualTo(expectedWritten);
        for (int i = 1; i < spooled.size(); i++) {
            assertThat(spooled.get(i).from()).isEqualTo(spooled.get(i - 1).to());
            assertThat(spooled.get(i).seq()).isGreaterThan(spooled.get(i - 1).seq());
        }
        System.out.println("records: " + spooled);
    }

    @Test
    void aComputeIsReadOverOneKeptConnectionNotOnePerPass() throws Exception {
        PostgresCluster cluster = reconciler.running().get(0).cluster();

        meter();
        long firstPid = usageBackendPid(cluster);
        meter();
        meter();

        assertThat(usageBackendPid(cluster)).as("the same backend answered every pass: no connection start per pass")
                .isEqualTo(firstPid);
    }

    /** The pid of the agent's usage connection on the compute; fails when there is none. */
    private static long usageBackendPid(PostgresCluster cluster) throws SQLException {
        try (Connection c = superuser(cluster, ComputeConventions.MAINTENANCE_DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'stratus-agent-usage'")) {
            assertThat(rs.next()).as("the agent's usage connection is open").isTrue();
            long pid = rs.getLong(1);
            assertThat(rs.next()).as("one usage connection").isFalse();
            return pid;
        }
    }

    @Test
    void anAgentStoppingCleanlySpoolsEveryOpenWindowUpToItsStopIdleOnesToo() throws Exception {
        // Production windows: an idle one stays open for minutes, and passes come every 10 s.
        UsageMeter production = new UsageMeter(reconciler, spool, tally, Clock.systemUTC(), Duration.ofMinutes(10),
                Duration.ofMinutes(5));
        meterRef.set(production);
        production.start();
        spooled.addAll(production.meter());
        Instant lastSpooled = spool.cursor(spec.computeId()).orElseThrow().at();
        Thread.sleep(1500);
        assertThat(production.meter()).as("idle: the window stays open").isEmpty();

        Instant stopping = Instant.now();
        production.stop();

        UsageCursor after = spool.cursor(spec.computeId()).orElseThrow();
        assertThat(after.at()).isAfterOrEqualTo(stopping);
        List<UsageRecord> last = spool.pending(1000).stream().filter(r -> !r.from().isBefore(lastSpooled)).toList();
        assertThat(last).isNotEmpty();
        // The compute ran at 1 CU throughout: the whole idle time is billed.
        BigDecimal cuSeconds = last.stream().map(UsageRecord::cuSeconds).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(cuSeconds).isGreaterThanOrEqualTo(new BigDecimal("1.5"));
    }

    @Test
    void aCuChangeIsSpooledAtOnceNotAtTheNextScheduledPass() throws Exception {
        UsageMeter production = new UsageMeter(reconciler, spool, tally, Clock.systemUTC(), Duration.ofMinutes(10),
                Duration.ofMinutes(5));
        meterRef.set(production);
        toClose.add(production::stop);
        production.start();
        spooled.addAll(production.meter());
        assertThat(spool.cursor(spec.computeId()).orElseThrow().cu()).isEqualByComparingTo("1");

        ComputeSpec bigger = spec.toBuilder().cu(BigDecimal.valueOf(2)).specVersion(2).build();
        reconciler.apply(new DesiredState(UUID.randomUUID(), 2, List.of(bigger))).get(60, TimeUnit.SECONDS);

        // Durable within moments, so that an agent killed now leaves its successor the new CU to bill the gap at.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(spool.cursor(spec.computeId()).orElseThrow().cu()).isEqualByComparingTo("2"));
    }

    @Test
    void aSuspendedComputeIsBilledForStorageOnlyFromItsLastKnownSize() throws Exception {
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "CREATE TABLE t AS SELECT generate_series(1, 10000) AS id", Kind.OTHER, 0);
        }
        meter();
        Thread.sleep(50);
        meter();
        long size = spooled.get(spooled.size() - 1).storageBytes();
        ComputeSpec suspended = spec.toBuilder().running(false).cu(BigDecimal.ZERO).specVersion(2).build();
        reconciler.apply(new DesiredState(UUID.randomUUID(), 2, List.of(suspended))).get(60, TimeUnit.SECONDS);
        assertThat(reconciler.running()).isEmpty();
        meter();
        int suspendedFrom = spooled.size();
        Thread.sleep(1200);
        meter();

        List<UsageRecord> whileSuspended = spooled.subList(suspendedFrom, spooled.size());
        assertThat(whileSuspended).isNotEmpty().allSatisfy(r -> {
            assertThat(r.cuSeconds()).isEqualByComparingTo("0");
            assertThat(r.requests()).isZero();
            assertThat(r.storageBytes()).isEqualTo(size);
            assertThat(r.storageByteSeconds()).isEqualTo(size * Duration.between(r.from(), r.to()).toMillis() / 1000);
        });
        assertThat(sum(UsageRecord::requests)).isEqualTo(expectedRequests);
    }

    @Test
    void aDeletedComputesLastWindowIsSpooledWithItsLastStatementsBeforeItsDataGoes() throws Exception {
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "CREATE TABLE t (id int)", Kind.OTHER, 0);
        }
        meter();
        int runningFrom = spooled.size();
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "INSERT INTO t SELECT generate_series(1, 5)", Kind.WRITE, 5);
            run(st, "SELECT * FROM t", Kind.READ, 5);
        }
        java.time.Instant deleting = java.time.Instant.now();

        reconciler.apply(new DesiredState(UUID.randomUUID(), 2, List.of())).get(60, TimeUnit.SECONDS);

        assertThat(paths.compute(spec.computeId())).doesNotExist();
        List<UsageRecord> all = spool.pending(10_000);
        assertThat(all.stream().mapToLong(UsageRecord::requests).sum()).isEqualTo(expectedRequests);
        assertThat(all.stream().mapToLong(UsageRecord::rowsWritten).sum()).isEqualTo(expectedWritten);
        assertThat(all.stream().mapToLong(UsageRecord::rowsRead).sum()).isEqualTo(expectedRead);
        UsageRecord last = all.get(all.size() - 1);
        assertThat(last.to()).as("metered up to the deletion").isAfterOrEqualTo(deleting);
        // At 1 CU from the first pass on, without a gap: the CU-seconds since are the span's length.
        List<UsageRecord> sinceFirstPass = all.subList(runningFrom, all.size());
        double span = Duration.between(sinceFirstPass.get(0).from(), last.to()).toMillis() / 1000.0;
        assertThat(sinceFirstPass.stream().map(UsageRecord::cuSeconds).reduce(BigDecimal.ZERO, BigDecimal::add)
                .doubleValue()).isCloseTo(span, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void anAgentThatDiedBeforeItsFirstReadingLeavesNothingUnbilled() throws Exception {
        Thread.sleep(1500);
        // The next agent's meter: the same spool (no cursor yet), a timeline that never saw the compute.
        java.time.Instant restarted = java.time.Instant.now();
        meterRef.set(new UsageMeter(reconciler, spool, tally, Clock.systemUTC(), Duration.ofSeconds(1), Duration.ofSeconds(1)));

        meter();

        assertThat(spooled).isNotEmpty();
        assertThat(spooled.get(0).from()).as("from the postmaster's start, not from the restart")
                .isBefore(restarted.minusMillis(1000));
        double span = Duration.between(spooled.get(0).from(), spooled.get(spooled.size() - 1).to()).toMillis() / 1000.0;
        assertThat(spooled.stream().map(UsageRecord::cuSeconds).reduce(BigDecimal.ZERO, BigDecimal::add).doubleValue())
                .as("1 CU throughout").isCloseTo(span, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void statementsRightBeforeASuspendAreBilledEvenIfTheDatabaseIsDeletedAsleep() throws Exception {
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "CREATE TABLE t (id int)", Kind.OTHER, 0);
        }
        meter();
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "INSERT INTO t VALUES (1), (2), (3)", Kind.WRITE, 3);
        }
        reconciler.apply(new DesiredState(UUID.randomUUID(), 2, List.of(withRunning(false, 2)))).get(60, TimeUnit.SECONDS);

        reconciler.apply(new DesiredState(UUID.randomUUID(), 3, List.of())).get(60, TimeUnit.SECONDS);

        List<UsageRecord> all = spool.pending(10_000);
        assertThat(all.stream().mapToLong(UsageRecord::requests).sum()).isEqualTo(expectedRequests);
        assertThat(all.stream().mapToLong(UsageRecord::rowsWritten).sum()).isEqualTo(expectedWritten);
    }

    @Test
    void aComputeSuspendedBeforeItsFirstReadingIsBilledForItsCuSecondsAndOnResumeForEveryStatement() throws Exception {
        readsOnStop.set(false);
        java.time.Instant created = java.time.Instant.now();
        try (Connection c = tenant(); Statement st = c.createStatement()) {
            run(st, "CREATE TABLE early (id int)", Kind.OTHER, 0);
            run(st, "INSERT INTO early VALUES (1), (2)", Kind.WRITE, 2);
        }
        reconciler.apply(new DesiredState(UUID.randomUUID(), 2, List.of(withRunning(false, 2)))).get(60, TimeUnit.SECONDS);
        assertThat(reconciler.running()).isEmpty();
        java.time.Instant suspended = java.time.Instant.now();

        meter();

        assertThat(spooled).as("billed although never read").isNotEmpty();
        BigDecimal cuSeconds = spooled.stream().map(UsageRecord::cuSeconds).reduce(BigDecimal.ZERO, BigDecimal::add);
        // It ran at 1 CU from some time before `created` (provisioning, at 0 CU, is not billed) until `suspended`.
        assertThat(cuSeconds.doubleValue()).isGreaterThanOrEqualTo(Duration.between(created, suspended).toMillis() / 1000.0 - 0.01);
        assertThat(sum(UsageRecord::requests)).as("its statements are not lost, only not read yet").isZero();

        reconciler.apply(new DesiredState(UUID.randomUUID(), 3, List.of(withRunning(true, 3)))).get(60, TimeUnit.SECONDS);
        meter();

        assertThat(sum(UsageRecord::requests)).isEqualTo(expectedRequests);
        assertThat(sum(UsageRecord::rowsWritten)).isEqualTo(expectedWritten);
        assertThat(spooled).allSatisfy(r -> assertThat(r.exact()).isTrue());
    }

    @Test
    void aComputeSuspendedBeforeItsFirstReadingAndDeletedAsleepIsStillBilledForTheTimeItRan() throws Exception {
        readsOnStop.set(false);
        java.time.Instant created = java.time.Instant.now();
        Thread.sleep(300);
        reconciler.apply(new DesiredState(UUID.randomUUID(), 2, List.of(withRunning(false, 2)))).get(60, TimeUnit.SECONDS);
        java.time.Instant suspended = java.time.Instant.now();

        reconciler.apply(new DesiredState(UUID.randomUUID(), 3, List.of())).get(60, TimeUnit.SECONDS);

        List<UsageRecord> all = spool.pending(10_000);
        BigDecimal cuSeconds = all.stream().map(UsageRecord::cuSeconds).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(cuSeconds.doubleValue()).isGreaterThanOrEqualTo(Duration.between(created, suspended).toMillis() / 1000.0 - 0.01);
    }

    // ---- helpers ----

    /** What the front door makes of a statement's command tag (StatementMeter): read, written, neither, not billed. */
    private enum Kind { READ, WRITE, OTHER, TRANSACTION_CONTROL }

    private ComputeSpec withRunning(boolean running, long version) {
        return spec.toBuilder().running(running).specVersion(version).build();
    }

    private UsageMeter meter(UsageSpool spool) {
        toClose.add(spool);
        // Idle windows are written after a second, so that a short test sees them.
        return new UsageMeter(reconciler, spool, tally, Clock.systemUTC(), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    private void meter() {
        spooled.addAll(meterRef.get().meter());
    }

    private Path spoolDir() {
        return paths.usage();
    }

    private long sum(java.util.function.ToLongFunction<UsageRecord> f) {
        return spooled.stream().mapToLong(f).sum();
    }

    private void run(Statement st, String sql, Kind kind, long rows) throws SQLException {
        st.execute(sql);
        count(kind, rows);
    }

    private void count(Kind kind, long rows) {
        tally.of(spec.computeId()).add(kind == Kind.TRANSACTION_CONTROL ? 0 : 1, kind == Kind.READ ? rows : 0,
                kind == Kind.WRITE ? rows : 0, 0, 0);
        if (kind != Kind.TRANSACTION_CONTROL) {
            expectedRequests++;
        }
        if (kind == Kind.READ) {
            expectedRead += rows;
        } else if (kind == Kind.WRITE) {
            expectedWritten += rows;
        }
    }

    /**
     * The owner over TCP, as a tenant's application connects. assumeMinServerVersion puts application_name in the
     * startup packet: without it pgjdbc sends a SET after connecting, a statement like any other (and billed as one).
     */
    private Connection tenant() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", OWNER);
        props.setProperty("password", PASSWORD);
        props.setProperty("assumeMinServerVersion", "12");
        return DriverManager.getConnection(TestHost.socketUrl(TestHost.computeSocket(host.paths(), spec.computeId()), DB),
                props);
    }

    private static Connection superuser(PostgresCluster cluster, String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", ComputeConventions.SUPERUSER);
        return DriverManager.getConnection(cluster.socketJdbcUrl(database), props);
    }
}
