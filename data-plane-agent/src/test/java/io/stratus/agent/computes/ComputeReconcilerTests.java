package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.Scram;
import io.stratus.agent.TestHost;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupV1Driver;
import io.stratus.agent.capacity.CgroupV2Driver;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.SocketDirs;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The reconciler against real Postgres clusters, without a control plane: desired states are handed to it directly. */
class ComputeReconcilerTests {

    private static final UUID NODE = UUID.randomUUID();
    private static final String DB = "app";
    private static final String OWNER = "app_owner";

    private final List<ComputeReconciler> reconcilers = new ArrayList<>();
    private final List<Object> events = new CopyOnWriteArrayList<>();
    private TestHost host;
    private AgentPaths paths;
    private ReleaseCatalog releases;
    private OsUser user;
    private String major;

    @BeforeEach
    void setUp() {
        host = new TestHost();
        paths = host.paths();
        releases = new ReleaseCatalog(List.of(), paths.releases());
        user = OsUser.forPostgres("postgres");
        major = String.valueOf(releases.defaultRelease().major());
    }

    @AfterEach
    void tearDown() {
        // The last reconciler knows every compute; stopping it stops their postmasters.
        for (int i = reconcilers.size() - 1; i >= 0; i--) {
            reconcilers.get(i).stop();
        }
        host.close();
    }

    @Test
    void provisionsComputeTheOwnerCanUseOverItsSocketOnly() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "s3cret-one", true, 1);

        NodeObservation observed = apply(reconciler, state(1, spec));

        assertThat(observed.observedGeneration()).isEqualTo(1);
        ComputeStatus status = single(observed);
        assertThat(status.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(status.acceptingLogins()).isTrue();
        assertThat(status.specVersion()).isEqualTo(1);
        long pid = reconciler.running(spec.computeId()).orElseThrow().cluster().postmasterPid().orElseThrow();
        assertThat(io.stratus.testing.Listeners.tcpPorts(pid)).as("reachable only through its socket (the front door's way in)")
                .isEmpty();
        assertThat(status.release()).startsWith(major + ".");
        assertThat(status.restarts()).isZero();
        assertThat(status.message()).isNull();
        assertThat(status.appliedCu()).isEqualByComparingTo("1");
        assertThat(status.enforcement()).isEqualTo(host.cgroups().enforcement());
        assertInItsCgroup(spec);
        try (Connection c = connect(spec, "s3cret-one"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            st.execute("INSERT INTO notes VALUES (1, 'hello')");
            try (ResultSet rs = st.executeQuery("SELECT body FROM notes WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("hello");
            }
        }
        assertThat(Files.getPosixFilePermissions(paths.appliedFile(spec.computeId())))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(events).anySatisfy(e -> assertThat(((ComputesChanged) e).observation()).isEqualTo(observed));
    }

    @Test
    void applyingTheSameSpecAgainChangesNothing() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);
        apply(reconciler, state(1, spec));
        long pid = postmasterPid(spec);
        Map<Path, FileTime> before = modificationTimes(spec);

        NodeObservation again = apply(reconciler, state(2, spec));

        assertThat(again.observedGeneration()).isEqualTo(2);
        assertThat(single(again).phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(postmasterPid(spec)).isEqualTo(pid);
        assertThat(modificationTimes(spec)).isEqualTo(before);
    }

    // A killed agent (kill -9) leaves its postmasters running: the next agent must take them over as they are.
    @Test
    void newReconcilerAdoptsRunningComputeWithoutTouchingIt() throws Exception {
        ComputeReconciler first = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);
        apply(first, state(1, spec));
        insertRow(spec, "pw");
        long pid = postmasterPid(spec);

        ComputeReconciler second = reconciler(new WarmPool(0, paths, releases, user));

        ComputeStatus adopted = single(second.observe());
        assertThat(adopted.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(adopted.specVersion()).isEqualTo(1);
        assertThat(adopted.acceptingLogins()).isTrue();
        // Before the control plane speaks, a health pass neither deletes nor restarts anything.
        second.checkHealth().get(30, TimeUnit.SECONDS);
        assertThat(second.observe().observedGeneration()).isZero();
        assertThat(postmasterPid(spec)).isEqualTo(pid);
        assertThat(single(second.observe()).appliedCu()).isEqualByComparingTo("1");
        assertThat(single(second.observe()).enforcement()).isEqualTo(host.cgroups().enforcement());
        assertThat(second.running()).singleElement().satisfies(r -> assertThat(r.databaseName()).isEqualTo(DB));

        NodeObservation observed = apply(second, state(1, spec));
        assertThat(single(observed).phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(postmasterPid(spec)).isEqualTo(pid);
        assertThat(countRows(spec, "pw")).isEqualTo(1);
    }

    // A clean agent shutdown stops every postmaster; the next agent brings them back, and that is no crash.
    @Test
    void computeStoppedWithTheAgentIsStartedByTheNextOneWithoutCountingACrash() throws Exception {
        ComputeReconciler first = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);
        apply(first, state(1, spec));
        insertRow(spec, "pw");
        first.stop();

        ComputeReconciler second = reconciler(new WarmPool(0, paths, releases, user));
        assertThat(single(second.observe()).phase()).isEqualTo(ComputePhase.STARTING);
        ComputeStatus status = single(second.checkHealth().get(60, TimeUnit.SECONDS));

        assertThat(status.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(status.acceptingLogins()).isTrue();
        assertThat(status.restarts()).isZero();
        assertThat(status.message()).isNull();
        assertThat(countRows(spec, "pw")).isEqualTo(1);
    }

    @Test
    void healthCheckRestartsKilledPostmaster() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);
        apply(reconciler, state(1, spec));
        insertRow(spec, "pw");
        long pid = postmasterPid(spec);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !TestHost.isLive(pid));

        // Backends of the killed postmaster may hold its shared memory a moment: the first start can fail, and the
        // health loop retries it with backoff.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> single(reconciler.checkHealth().get(30, TimeUnit.SECONDS)).phase() == ComputePhase.RUNNING);
        ComputeStatus status = single(reconciler.observe());
        assertThat(status.restarts()).isEqualTo(1);
        assertThat(status.message()).isEqualTo("restarted after crash");
        assertThat(status.acceptingLogins()).isTrue();
        assertThat(postmasterPid(spec)).isNotEqualTo(pid);
        assertThat(countRows(spec, "pw")).isEqualTo(1);
        assertThat(Files.readString(paths.appliedFile(spec.computeId()))).contains("\"restarts\" : 1");
    }

    @Test
    void deletesComputeMissingFromDesiredState() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);
        apply(reconciler, state(1, spec));
        long pid = postmasterPid(spec);
        Path socketDir = SocketDirs.forData(paths.compute(spec.computeId()));
        assertThat(socketDir).isDirectory();

        NodeObservation observed = apply(reconciler, state(2));

        assertThat(observed.computes()).isEmpty();
        assertThat(observed.observedGeneration()).isEqualTo(2);
        assertThat(TestHost.isLive(pid)).isFalse();
        assertThat(paths.compute(spec.computeId())).doesNotExist();
        assertThat(socketDir).doesNotExist();
        assertThat(host.cgroups().groups()).doesNotContain(spec.computeId());
        for (Path group : groupDirs(spec.computeId())) {
            assertThat(group).doesNotExist();
        }
    }

    @Test
    void enforcesTheCuAndChangesItWithoutRestart() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec quarter = withCu(spec(UUID.randomUUID(), "pw", true, 1), "0.25", 1);

        ComputeStatus status = single(apply(reconciler, state(1, quarter)));

        assertThat(status.appliedCu()).isEqualByComparingTo("0.25");
        assertThat(status.enforcement()).isEqualTo(host.cgroups().enforcement());
        long pid = postmasterPid(quarter);
        assertLimits(quarter.computeId(), 25_000, 1L << 30);
        assertInItsCgroup(quarter);
        assertThat(show(quarter, "work_mem")).isEqualTo("1MB");
        assertThat(show(quarter, "max_connections")).isEqualTo("150");

        ComputeSpec one = withCu(quarter, "1", 2);
        long before = System.nanoTime();
        CompletableFuture<NodeObservation> pass = reconciler.apply(state(2, one));
        // The limits are written before the pass is even queued.
        long toCgroup = (System.nanoTime() - before) / 1_000;
        assertLimits(one.computeId(), 100_000, 4L << 30);
        ComputeStatus scaled = single(pass.get(30, TimeUnit.SECONDS));
        long toApplied = (System.nanoTime() - before) / 1_000;
        System.out.printf("CU change: cgroup limits after %d us, applied in full after %d us%n", toCgroup, toApplied);

        assertThat(scaled.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(scaled.specVersion()).isEqualTo(2);
        assertThat(scaled.appliedCu()).isEqualByComparingTo("1");
        assertThat(postmasterPid(one)).as("no restart").isEqualTo(pid);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(show(one, "work_mem")).isEqualTo("4MB"));
        assertThat(show(one, "effective_cache_size")).isEqualTo("3GB");
        assertThat(show(one, "max_connections")).as("sized from the range, not the CU").isEqualTo("150");
        assertInItsCgroup(one);
    }

    @Test
    void aNewCuRangeNeverRestartsARunningComputeItsSizesWaitForTheNextStart() throws Exception {
        Started c = runningAt("0.25");
        assertThat(show(c.spec(), "max_connections")).isEqualTo("150");

        ComputeSpec wide = withRange(c.spec(), "0.25", "4", 2);
        try (Connection session = superuser(c.spec()); Statement st = session.createStatement()) {
            st.execute("begin");
            st.execute("create table kept_open(x int)");
            ComputeStatus status = single(apply(c.reconciler(), state(2, wide)));

            assertThat(status.phase()).isEqualTo(ComputePhase.RUNNING);
            assertThat(postmasterPid(wide)).as("no restart for a new range").isEqualTo(c.pid());
            st.execute("insert into kept_open values (1)");
            st.execute("commit");
        }
        assertThat(show(wide, "max_connections")).as("until the next start").isEqualTo("150");

        apply(c.reconciler(), state(3, withRunning(wide, false, 3)));
        apply(c.reconciler(), state(4, withRunning(wide, true, 4)));
        assertThat(show(wide, "max_connections")).as("sized from the new range at the next start").isEqualTo("250");
        assertThat(show(wide, "shared_buffers")).isEqualTo("128MB");
    }

    // Autoscaling changes CU often: a CU-only change must touch neither the catalog nor the login probe, and an
    // unchanged compute costs next to nothing. Every agent session shows in pg_stat_database.sessions.
    @Test
    void frequentCuChangesOpenNoSessionAndNeverRestart() throws Exception {
        Started compute = runningAt("0.5");
        ComputeReconciler reconciler = compute.reconciler();
        ComputeSpec spec = compute.spec();
        long pid = compute.pid();

        try (Connection watcher = superuser(spec); Statement st = watcher.createStatement()) {
            long sessionsBefore = sessions(st);
            List<Long> millis = new ArrayList<>();
            for (int version = 2; version <= 11; version++) {
                ComputeSpec changed = withCu(spec, version % 2 == 0 ? "1" : "0.5", version);
                long started = System.nanoTime();
                ComputeStatus status = single(apply(reconciler, state(version, changed)));
                millis.add((System.nanoTime() - started) / 1_000_000);
                assertThat(status.specVersion()).isEqualTo(version);
                assertThat(status.appliedCu()).isEqualByComparingTo(changed.cu());
            }
            long unchangedStarted = System.nanoTime();
            apply(reconciler, state(12, withCu(spec, "0.5", 11)));
            long unchangedMicros = (System.nanoTime() - unchangedStarted) / 1_000;
            System.out.printf("CU-only passes took %s ms; an unchanged pass %d us%n", millis, unchangedMicros);

            assertThat(sessions(st) - sessionsBefore).isZero();
            assertThat(postmasterPid(spec)).isEqualTo(pid);
            assertLimits(spec.computeId(), 50_000, 2L << 30);
            assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(2_000L));
        }
    }

    // A compute adopted from an agent without cgroups, or a postmaster restarted by hand, is outside its group; the
    // health check puts it (and its children) back.
    @Test
    void healthCheckPutsAPostmasterOutsideItsCgroupBack() throws Exception {
        CgroupDriver cgroups = host.enforcingCgroups();
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);
        apply(reconciler, state(1, spec));
        long pid = postmasterPid(spec);
        try (Connection backend = connect(spec, "pw")) {
            for (Path group : groupDirs(spec.computeId())) {
                Path root = group.getParent().getParent();
                for (String p : Files.readAllLines(group.resolve("cgroup.procs"))) {
                    Files.writeString(root.resolve("cgroup.procs"), p);
                }
            }
            assertThat(cgroups.contains(spec.computeId(), pid)).isFalse();

            ComputeStatus status = single(reconciler.checkHealth().get(30, TimeUnit.SECONDS));

            assertThat(status.enforcement()).isEqualTo(cgroups.enforcement());
            assertThat(cgroups.contains(spec.computeId(), pid)).isTrue();
            for (long child : io.stratus.agent.support.ProcessTree.children(pid)) {
                assertThat(cgroups.contains(spec.computeId(), child)).as("child %d", child).isTrue();
            }
        }
    }

    @Test
    void suspendStopsPostmasterAndResumeFindsTheData() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec running = spec(UUID.randomUUID(), "pw", true, 1);
        apply(reconciler, state(1, running));
        insertRow(running, "pw");
        long pid = postmasterPid(running);

        ComputeStatus stopped = single(apply(reconciler, state(2, withRunning(running, false, 2))));
        assertThat(stopped.phase()).isEqualTo(ComputePhase.STOPPED);
        assertThat(stopped.specVersion()).isEqualTo(2);
        assertThat(stopped.acceptingLogins()).isFalse();
        // Nothing runs, so no CU is in force; its group keeps the limits for when it resumes.
        assertThat(stopped.appliedCu()).isZero();
        assertThat(stopped.enforcement()).isEqualTo(host.cgroups().enforcement());
        assertThat(TestHost.isLive(pid)).isFalse();
        assertThat(reconciler.running()).isEmpty();
        // While it sleeps nothing listens for it: the front door answers for it, and wakes it.
        assertThat(TestHost.computeSocket(paths, running.computeId())).doesNotExist();
        assertThatThrownBy(() -> connect(running, "pw")).isInstanceOf(SQLException.class);

        long started = System.nanoTime();
        ComputeStatus resumed = single(apply(reconciler, state(3, withRunning(running, true, 3))));
        System.out.printf("resumed in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertThat(resumed.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(resumed.acceptingLogins()).isTrue();
        assertThat(resumed.appliedCu()).isEqualByComparingTo("1");
        assertThat(countRows(running, "pw")).isEqualTo(1);
        assertInItsCgroup(running);
    }

    @Test
    void newPasswordTakesEffectWithoutRestart() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "old-password", true, 1);
        apply(reconciler, state(1, spec));
        long pid = postmasterPid(spec);

        ComputeSpec reset = spec.toBuilder().ownerVerifier(Scram.verifier("new-password")).specVersion(2).build();
        ComputeStatus status = single(apply(reconciler, state(2, reset)));

        assertThat(status.specVersion()).isEqualTo(2);
        assertThat(postmasterPid(spec)).isEqualTo(pid);
        try (Connection c = connect(spec, "new-password")) {
            assertThat(c.isValid(2)).isTrue();
        }
        assertThatThrownBy(() -> connect(spec, "old-password")).isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
    }

    @Test
    void newComputeClaimsWarmPoolClusterInsteadOfRunningInitdb() throws Exception {
        WarmPool pool = new WarmPool(1, paths, releases, user);
        pool.fill();
        assertThat(pool.readyCount()).isEqualTo(1);
        ComputeReconciler reconciler = reconciler(pool);
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1);

        ComputeStatus status = single(apply(reconciler, state(1, spec)));

        assertThat(status.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(pool.readyCount()).isZero();
        assertThat(paths.compute(spec.computeId()).resolve("ready")).doesNotExist();
        insertRow(spec, "pw");
        assertThat(countRows(spec, "pw")).isEqualTo(1);
        // The pool's ready database became the tenant's: renamed, owned by the tenant's role, closed to PUBLIC.
        try (Connection c = connect(spec, "pw"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database(), pg_get_userbyid(d.datdba),"
                     + " has_database_privilege('public', d.oid, 'CONNECT'),"
                     + " (SELECT count(*) FROM pg_database WHERE datname = '" + ComputeConventions.POOL_DATABASE + "')"
                     + " FROM pg_database d WHERE d.datname = current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(spec.databaseName());
            assertThat(rs.getString(2)).isEqualTo(spec.ownerRole());
            assertThat(rs.getBoolean(3)).isFalse();
            assertThat(rs.getLong(4)).isZero();
        }
    }

    @Test
    void warmPoolRemovesHalfMadeEntriesOnStart() throws Exception {
        Path halfMade = paths.pool().resolve(UUID.randomUUID().toString()).resolve("pgdata");
        Files.createDirectories(halfMade);
        Files.writeString(halfMade.resolve("PG_VERSION"), major + "\n");
        WarmPool pool = new WarmPool(0, paths, releases, user);

        pool.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(halfMade.getParent()));
        } finally {
            pool.stop();
        }
    }

    @Test
    void warmPoolStopsThePostmasterAKilledAgentLeftOnAHalfMadeEntry() throws Exception {
        // As a kill -9 of the agent leaves an entry while it made the pool database: initialised, running, no marker.
        Path entry = paths.pool().resolve(UUID.randomUUID().toString());
        Files.createDirectories(entry, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        PostgresCluster running = new PostgresCluster(releases.defaultRelease(), entry.resolve("pgdata"), user);
        running.initdb(ComputeConventions.SUPERUSER, null, false);
        Path socketDir = SocketDirs.forData(entry);
        running.writeSettings(Map.of("listen_addresses", "", "port", "5432", "unix_socket_directories", socketDir.toString()));
        running.start();
        long pid = running.postmasterPid().orElseThrow();
        WarmPool pool = new WarmPool(0, paths, releases, user);

        pool.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(entry));
            assertThat(TestHost.isLive(pid)).isFalse();
        } finally {
            pool.stop();
            running.stop();
            PostgresCluster.deleteRecursively(socketDir);
        }
    }

    @Test
    void computeFailsClearlyWhenNoReleaseMatches() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1).toBuilder()
                .minCu(BigDecimal.ONE).maxCu(BigDecimal.ONE).release("9").build();

        NodeObservation observed = apply(reconciler, state(1, spec));

        ComputeStatus status = single(observed);
        assertThat(status.phase()).isEqualTo(ComputePhase.FAILED);
        assertThat(status.message()).startsWith("no Postgres release matching '9' on this node");
        assertThat(observed.observedGeneration()).isZero();
        assertThat(paths.compute(spec.computeId())).doesNotExist();
    }

    @Test
    void aFailedComputeDoesNotHoldBackTheDeletionOfAnother() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec broken = spec(UUID.randomUUID(), "pw", true, 1).toBuilder()
                .minCu(BigDecimal.ONE).maxCu(BigDecimal.ONE).release("9").build();
        ComputeSpec healthy = spec(UUID.randomUUID(), "pw", true, 1);
        apply(reconciler, state(1, broken, healthy));

        NodeObservation observed = apply(reconciler, state(2, broken));

        // Generation 2 is not fully applied (the broken compute failed), but its pass ran: the healthy compute is gone,
        // and the reconciled generation says so, so the control plane can finish that deletion.
        assertThat(observed.observedGeneration()).isZero();
        assertThat(observed.reconciledGeneration()).isEqualTo(2);
        assertThat(observed.computes()).extracting(ComputeStatus::computeId).containsExactly(broken.computeId());
        assertThat(paths.compute(healthy.computeId())).doesNotExist();
    }

    @Test
    void specWithUnsafeNamesFailsBeforeAnythingIsCreated() throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = spec(UUID.randomUUID(), "pw", true, 1).toBuilder()
                .databaseName("app\"; DROP ROLE x; --").minCu(BigDecimal.ONE).maxCu(BigDecimal.ONE).build();

        ComputeStatus status = single(apply(reconciler, state(1, spec)));

        assertThat(status.phase()).isEqualTo(ComputePhase.FAILED);
        assertThat(status.message()).startsWith("invalid spec: database name");
        assertThat(paths.compute(spec.computeId())).doesNotExist();
    }

    // ---- helpers ----

    private ComputeReconciler reconciler(WarmPool pool) {
        ComputeReconciler r = new ComputeReconciler(host.settings(0), paths, releases, pool, user, host.cgroups(),
                JsonMapper.builder().build(), Clock.systemUTC(), events::add);
        r.start();
        reconcilers.add(r);
        return r;
    }

    private ComputeSpec spec(UUID id, String password, boolean running, long version) {
        return ComputeSpec.builder().computeId(id).databaseName(DB).ownerRole(OWNER).ownerVerifier(Scram.verifier(password))
                .running(running).cu(BigDecimal.ONE).minCu(new BigDecimal("0.25")).maxCu(BigDecimal.valueOf(2))
                .release(major).specVersion(version).build();
    }

    private static ComputeSpec withCu(ComputeSpec s, String cu, long version) {
        return s.toBuilder().cu(new BigDecimal(cu)).specVersion(version).build();
    }

    /** A reconciler that has brought one compute up at {@code cu} (spec version 1), and its postmaster. */
    private record Started(ComputeReconciler reconciler, ComputeSpec spec, long pid) {
    }

    private Started runningAt(String cu) throws Exception {
        ComputeReconciler reconciler = reconciler(new WarmPool(0, paths, releases, user));
        ComputeSpec spec = withCu(spec(UUID.randomUUID(), "pw", true, 1), cu, 1);
        apply(reconciler, state(1, spec));
        return new Started(reconciler, spec, postmasterPid(spec));
    }

    private static ComputeSpec withRange(ComputeSpec s, String minCu, String maxCu, long version) {
        return s.toBuilder().minCu(new BigDecimal(minCu)).maxCu(new BigDecimal(maxCu)).specVersion(version).build();
    }

    private static ComputeSpec withRunning(ComputeSpec s, boolean running, long version) {
        return s.toBuilder().running(running).specVersion(version).build();
    }

    private static DesiredState state(long generation, ComputeSpec... specs) {
        return new DesiredState(NODE, generation, List.of(specs));
    }

    private static NodeObservation apply(ComputeReconciler reconciler, DesiredState state) throws Exception {
        return reconciler.apply(state).get(120, TimeUnit.SECONDS);
    }

    private static ComputeStatus single(NodeObservation observation) {
        assertThat(observation.computes()).hasSize(1);
        return observation.computes().get(0);
    }

    private long postmasterPid(ComputeSpec spec) {
        PostgresRelease release = releases.find(spec.release()).orElseThrow();
        return new PostgresCluster(release, paths.pgdata(spec.computeId()), user).postmasterPid().orElseThrow();
    }

    /** The compute's group in every hierarchy the host's driver uses (none without cgroups). */
    private List<Path> groupDirs(UUID computeId) {
        CgroupDriver cgroups = host.cgroups();
        if (cgroups instanceof CgroupV1Driver v1) {
            return v1.groupDirs(computeId);
        }
        if (cgroups instanceof CgroupV2Driver v2) {
            return List.of(v2.group(computeId));
        }
        return List.of();
    }

    /** The limits as the kernel holds them, on a host whose cgroups the agent can write. */
    private void assertLimits(UUID computeId, long cpuQuotaMicros, long memoryBytes) throws Exception {
        CgroupDriver cgroups = host.cgroups();
        if (cgroups instanceof CgroupV1Driver v1) {
            assertThat(v1.cpuGroup(computeId).resolve("cpu.cfs_quota_us")).content()
                    .isEqualToIgnoringNewLines(String.valueOf(cpuQuotaMicros));
            assertThat(v1.cpuGroup(computeId).resolve("cpu.cfs_period_us")).content().isEqualToIgnoringNewLines("100000");
            assertThat(v1.memoryGroup(computeId).resolve("memory.limit_in_bytes")).content()
                    .isEqualToIgnoringNewLines(String.valueOf(memoryBytes));
        } else if (cgroups instanceof CgroupV2Driver v2) {
            assertThat(v2.group(computeId).resolve("cpu.max")).content()
                    .isEqualToIgnoringNewLines(cpuQuotaMicros + " 100000");
            assertThat(v2.group(computeId).resolve("memory.max")).content()
                    .isEqualToIgnoringNewLines(String.valueOf(memoryBytes));
        } else {
            assertThat(cgroups.enforcement()).isEqualTo("none");
        }
    }

    /** The postmaster is listed in the group's cgroup.procs of every hierarchy used. */
    private void assertInItsCgroup(ComputeSpec spec) throws Exception {
        long pid = postmasterPid(spec);
        for (Path group : groupDirs(spec.computeId())) {
            assertThat(Files.readAllLines(group.resolve("cgroup.procs"))).contains(String.valueOf(pid));
        }
    }

    /** The agent's own way in: the socket, as its superuser, in the maintenance database. */
    private Connection superuser(ComputeSpec spec) throws SQLException {
        PostgresRelease release = releases.find(spec.release()).orElseThrow();
        PostgresCluster cluster = new PostgresCluster(release, paths.pgdata(spec.computeId()), user);
        return DriverManager.getConnection(cluster.socketJdbcUrl("postgres"), "stratus_agent", null);
    }

    private String show(ComputeSpec spec, String setting) throws SQLException {
        try (Connection c = superuser(spec); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Sessions ever opened to the maintenance database, where all of the agent's own queries run. */
    private static long sessions(Statement st) throws SQLException {
        st.execute("SELECT pg_stat_clear_snapshot()");
        try (ResultSet rs = st.executeQuery("SELECT sessions FROM pg_stat_database WHERE datname = 'postgres'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Map<Path, FileTime> modificationTimes(ComputeSpec spec) throws Exception {
        Path pgdata = paths.pgdata(spec.computeId());
        Map<Path, FileTime> times = new java.util.TreeMap<>();
        for (Path p : List.of(paths.appliedFile(spec.computeId()), pgdata.resolve("stratus.conf"), pgdata.resolve("pg_hba.conf"))) {
            times.put(p, Files.getLastModifiedTime(p));
        }
        return times;
    }

    private Connection connect(ComputeSpec spec, String password) throws SQLException {
        return TestHost.connectToCompute(paths, spec.computeId(), DB, OWNER, password);
    }

    private void insertRow(ComputeSpec spec, String password) throws SQLException {
        try (Connection c = connect(spec, password); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS kept (id int)");
            st.execute("INSERT INTO kept VALUES (1)");
        }
    }

    private int countRows(ComputeSpec spec, String password) throws SQLException {
        try (Connection c = connect(spec, password); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM kept")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
