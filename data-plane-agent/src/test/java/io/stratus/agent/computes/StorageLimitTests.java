package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.Scram;
import io.stratus.agent.TestHost;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.RoleSpec;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's storage guard against real Postgres: a compute at its storage limit is made read-only in a way no
 * session undoes, lifted without a restart, and whatever is on disk after a crash is made to agree with the spec.
 */
class StorageLimitTests {

    private static final UUID NODE = UUID.randomUUID();
    private static final String DB = "app";
    private static final String OWNER = "app_owner";
    private static final String PASSWORD = "pw";
    private static final long NO_WORRY = 1L << 40;

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
        for (int i = reconcilers.size() - 1; i >= 0; i--) {
            reconcilers.get(i).stop();
        }
        host.close();
    }

    @Test
    void aComputeAtItsLimitIsReadOnlyNoSessionUndoesItAndALiftNeedsNoRestart() throws Exception {
        ComputeReconciler reconciler = reconciler();
        ComputeSpec spec = spec(1, NO_WORRY);
        assertThat(single(apply(reconciler, state(1, spec))).storageLimited()).isFalse();
        write(spec, "CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'kept')");

        ComputeStatus limited = single(apply(reconciler, state(2, withLimit(spec, 1L, 2))));

        assertThat(limited.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(limited.acceptingLogins()).isTrue();
        assertThat(limited.storageLimited()).isTrue();
        assertThat(limited.storedBytes()).isPositive();
        assertThat(paths.pgdata(spec.computeId()).resolve(StorageSteps.STANDBY_SIGNAL)).exists();
        long pid = postmasterPid(spec);
        try (Connection c = connect(spec); Statement st = c.createStatement()) {
            assertThat(count(st)).as("reads work").isEqualTo(1);
            assertSqlState(st, "INSERT INTO notes VALUES (2, 'refused')", "25006");
            st.execute("SET default_transaction_read_only = off");
            assertSqlState(st, "INSERT INTO notes VALUES (2, 'refused')", "25006");
            assertSqlState(st, "CREATE TABLE more (id int)", "25006");
            // "cannot set transaction read-write mode during recovery"
            assertSqlState(st, "SET transaction_read_only = off", "0A000");
            assertSqlState(st, "BEGIN READ WRITE; INSERT INTO notes VALUES (2, 'refused'); COMMIT", "0A000");
        }
        ComputeStatus again = single(apply(reconciler, state(3, withLimit(spec, 1L, 3))));
        assertThat(again.storageLimited()).isTrue();
        assertThat(postmasterPid(spec)).as("an unchanged limit restarts nothing").isEqualTo(pid);

        ComputeStatus lifted = single(apply(reconciler, state(4, withLimit(spec, null, 4))));

        assertThat(lifted.storageLimited()).isFalse();
        assertThat(postmasterPid(spec)).as("lifted by pg_promote, not a restart").isEqualTo(pid);
        assertThat(paths.pgdata(spec.computeId()).resolve(StorageSteps.STANDBY_SIGNAL)).doesNotExist();
        write(spec, "INSERT INTO notes VALUES (2, 'written')");
    }

    @Test
    void theStorageCheckFindsAComputeThatGrewPastItsLimit() throws Exception {
        ComputeReconciler reconciler = reconciler();
        ComputeSpec spec = spec(1, NO_WORRY);
        ComputeStatus first = single(apply(reconciler, state(1, spec)));
        long stored = first.storedBytes();
        ComputeSpec tight = withLimit(spec, stored + 2 * 1024 * 1024, 2);
        assertThat(single(apply(reconciler, state(2, tight))).storageLimited()).isFalse();

        write(spec, "CREATE TABLE filler AS SELECT g, repeat('x', 1000) AS pad FROM generate_series(1, 5000) g");
        ComputeStatus checked = single(reconciler.checkStorage().get(120, TimeUnit.SECONDS));

        assertThat(checked.storageLimited()).isTrue();
        assertThat(checked.storedBytes()).isGreaterThanOrEqualTo(tight.storageLimitBytes());
        try (Connection c = connect(spec); Statement st = c.createStatement()) {
            assertSqlState(st, "INSERT INTO filler VALUES (0, 'x')", "25006");
        }
        assertThat(single(reconciler.checkStorage().get(120, TimeUnit.SECONDS)).storageLimited()).isTrue();
    }

    // The agent's own catalog work (a new role, a new password) cannot run on a standby: it lifts the compute for it
    // and the storage step of the same pass makes it read-only again.
    @Test
    void aRoleAddedWhileReadOnlyIsMadeAndTheComputeStaysReadOnly() throws Exception {
        ComputeReconciler reconciler = reconciler();
        ComputeSpec spec = spec(1, 1L);
        assertThat(single(apply(reconciler, state(1, spec))).storageLimited()).isTrue();

        ComputeSpec withRole = spec.toBuilder().specVersion(2)
                .roles(List.of(new RoleSpec("reader", Scram.verifier("rpw"), true))).build();
        ComputeStatus status = single(apply(reconciler, state(2, withRole)));

        assertThat(status.phase()).as(status.message()).isEqualTo(ComputePhase.RUNNING);
        assertThat(status.storageLimited()).isTrue();
        try (Connection c = TestHost.connectToCompute(paths, spec.computeId(), DB, "reader", "rpw");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("reader");
        }
        try (Connection c = connect(spec); Statement st = c.createStatement()) {
            assertSqlState(st, "CREATE TABLE t (id int)", "25006");
        }
    }

    // kill -9 of the agent: the next one adopts a read-only compute and makes it agree with the spec it is given.
    @Test
    void aStandbySignalLeftByAKilledAgentAgreesWithTheSpecOnTheNextPass() throws Exception {
        ComputeReconciler first = reconciler();
        ComputeSpec spec = spec(1, 1L);
        assertThat(single(apply(first, state(1, spec))).storageLimited()).isTrue();

        long pid = postmasterPid(spec);

        ComputeReconciler second = reconciler();
        ComputeStatus kept = single(apply(second, state(1, spec)));
        assertThat(kept.storageLimited()).as("still over: kept read-only").isTrue();
        assertThat(postmasterPid(spec)).as("adopted as it runs").isEqualTo(pid);
        try (Connection c = connect(spec); Statement st = c.createStatement()) {
            assertSqlState(st, "CREATE TABLE t (id int)", "25006");
        }
        ComputeStatus lifted = single(apply(second, state(2, withLimit(spec, NO_WORRY, 2))));

        assertThat(lifted.storageLimited()).isFalse();
        write(spec, "CREATE TABLE t (id int)");
    }

    // A pass that wrote the file and died before its restart leaves a writable postmaster and the file.
    @Test
    void aStandbySignalOfAnInterruptedLimitIsRemovedWhenUnderTheLimit() throws Exception {
        ComputeReconciler reconciler = reconciler();
        ComputeSpec spec = spec(1, NO_WORRY);
        apply(reconciler, state(1, spec));
        Path signal = paths.pgdata(spec.computeId()).resolve(StorageSteps.STANDBY_SIGNAL);
        Files.writeString(signal, "");

        ComputeStatus checked = single(reconciler.checkStorage().get(120, TimeUnit.SECONDS));

        assertThat(checked.storageLimited()).isFalse();
        assertThat(signal).doesNotExist();
    }

    // ---- helpers ----

    private ComputeReconciler reconciler() {
        ComputeReconciler r = new ComputeReconciler(host.settings(0), paths, releases, new WarmPool(0, paths, releases, user),
                user, host.cgroups(), JsonMapper.builder().build(), Clock.systemUTC(), events::add);
        r.start();
        reconcilers.add(r);
        return r;
    }

    private ComputeSpec spec(long version, Long limit) {
        return ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName(DB).ownerRole(OWNER)
                .ownerVerifier(Scram.verifier(PASSWORD)).running(true).cu(BigDecimal.ONE).minCu(new BigDecimal("0.25"))
                .maxCu(BigDecimal.valueOf(2)).release(major).specVersion(version).storageLimitBytes(limit).build();
    }

    private static ComputeSpec withLimit(ComputeSpec s, Long limit, long version) {
        return s.toBuilder().storageLimitBytes(limit).specVersion(version).build();
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

    private Connection connect(ComputeSpec spec) throws SQLException {
        return TestHost.connectToCompute(paths, spec.computeId(), DB, OWNER, PASSWORD);
    }

    private void write(ComputeSpec spec, String... statements) throws SQLException {
        try (Connection c = connect(spec); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static int count(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void assertSqlState(Statement st, String sql, String... states) {
        assertThatThrownBy(() -> st.execute(sql)).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isIn((Object[]) states));
    }
}
