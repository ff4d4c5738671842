package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.Scram;
import io.stratus.agent.TestHost;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import io.stratus.testing.BrokenRelease;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Planned restarts onto a release or operator settings (a rolling update's step) against real clusters: what goes
 * through is in force and checked, what fails is rolled back to what ran before, serving, and not tried again.
 */
class RestartSwitchTests {

    private static final UUID NODE = UUID.randomUUID();
    private static final String PASSWORD = "pw-restart";
    /** Older than any real 15.x the host may have, so that "15" still means the host's. */
    private static final String BROKEN = "15.2";

    private TestHost host;
    private AgentPaths paths;
    private ReleaseCatalog releases;
    private ComputeReconciler reconciler;
    private String hostRelease;
    private long generation;

    @BeforeEach
    void setUp() {
        host = new TestHost();
        paths = host.paths();
        releases = new ReleaseCatalog(List.of(BrokenRelease.create(host.dir.resolve("broken"), BROKEN)),
                paths.releases());
        hostRelease = releases.defaultRelease().version();
        reconciler = newReconciler();
    }

    /** A reconciler (an agent) on this host, started: it adopts what is on disk. */
    private ComputeReconciler newReconciler() {
        ComputeReconciler r = new ComputeReconciler(host.settings(0), paths, releases, new WarmPool(0, paths, releases,
                OsUser.forPostgres("postgres")), OsUser.forPostgres("postgres"), host.cgroups(),
                JsonMapper.builder().build(), Clock.systemUTC(), e -> { });
        r.start();
        return r;
    }

    @AfterEach
    void tearDown() {
        reconciler.stop();
        host.close();
    }

    @Test
    void aReleaseThatDoesNotStartIsRolledBackServingAndNotTriedAgain() throws Exception {
        ComputeSpec spec = running(1);
        write(spec, "kept");

        ComputeStatus after = apply(spec.toBuilder().release(BROKEN).specVersion(2).build());

        assertThat(after.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(after.acceptingLogins()).isTrue();
        assertThat(after.release()).isEqualTo(hostRelease);
        assertThat(after.specVersion()).as("the spec version is answered, on the release kept").isEqualTo(2);
        assertThat(after.message()).startsWith("kept Postgres " + hostRelease + ": " + BROKEN + " failed");
        ComputeReconciler.RestartOutcome outcome = reconciler.lastRestart(spec.computeId()).orElseThrow();
        assertThat(outcome.error()).contains("cannot start");
        assertThat(outcome.runningRelease()).isEqualTo(hostRelease);
        assertThat(read(spec)).isEqualTo("kept");
        long pid = pid(spec);

        // A CU change while the spec still asks for the broken release: not tried again (no flapping).
        apply(spec.toBuilder().release(BROKEN).cu(new BigDecimal("1.5")).specVersion(3).build());
        assertThat(pid(spec)).isEqualTo(pid);

        // The control plane takes the target back: what runs already is that, so nothing restarts.
        ComputeStatus back = apply(spec.toBuilder().cu(new BigDecimal("1.5")).specVersion(4).build());
        assertThat(back.message()).isNull();
        assertThat(pid(spec)).isEqualTo(pid);
    }

    // The agent restarts before the control plane has taken the broken target back: the next agent does not try it.
    @Test
    void aRefusedReleaseStaysRefusedAcrossAnAgentRestart() throws Exception {
        ComputeSpec spec = running(1);
        ComputeSpec broken = spec.toBuilder().release(BROKEN).specVersion(2).build();
        assertThat(apply(broken).release()).isEqualTo(hostRelease);
        reconciler.stop();

        reconciler = newReconciler();
        ComputeStatus after = apply(broken.toBuilder().specVersion(3).build());

        assertThat(after.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(after.release()).isEqualTo(hostRelease);
        assertThat(reconciler.lastRestart(spec.computeId())).as("no planned restart tried").isEmpty();
    }

    @Test
    void aReloadableSettingIsInForceWithoutARestart() throws Exception {
        ComputeSpec spec = running(1);
        long pid = pid(spec);

        ComputeStatus after = apply(spec.toBuilder().settings(Map.of("statement_timeout", "1234ms")).specVersion(2)
                .build());

        assertThat(after.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(show(spec, "statement_timeout")).isEqualTo("1234ms");
        assertThat(pid(spec)).isEqualTo(pid);
        assertThat(reconciler.lastRestart(spec.computeId()).orElseThrow().error()).isNull();
    }

    @Test
    void aSettingThatNeedsARestartIsRestartedOnto() throws Exception {
        ComputeSpec spec = running(1);
        write(spec, "before the restart");
        long pid = pid(spec);

        apply(spec.toBuilder().settings(Map.of("max_locks_per_transaction", "128")).specVersion(2).build());

        assertThat(show(spec, "max_locks_per_transaction")).isEqualTo("128");
        assertThat(pid(spec)).isNotEqualTo(pid);
        assertThat(read(spec)).isEqualTo("before the restart");
    }

    // The control plane validates values; the agent checks what the server made of them all the same.
    @Test
    void aSettingTheServerRefusesIsTakenOutAgain() throws Exception {
        ComputeSpec spec = running(1);

        ComputeStatus after = apply(spec.toBuilder().settings(Map.of("statement_timeout", "soon")).specVersion(2)
                .build());

        assertThat(after.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(after.message()).contains("statement_timeout");
        assertThat(show(spec, "statement_timeout")).isEqualTo("0");
        PostgresCluster cluster = reconciler.running(spec.computeId()).orElseThrow().cluster();
        assertThat(cluster.setting("statement_timeout")).isEmpty();
        assertThat(Files.readString(cluster.dataDir().resolve(PostgresCluster.SETTINGS_FILE))).doesNotContain("soon");
    }

    private ComputeSpec running(long version) throws Exception {
        ComputeSpec spec = ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName("app").ownerRole("app_owner")
                .ownerVerifier(Scram.verifier(PASSWORD)).running(true).cu(BigDecimal.ONE)
                .minCu(new BigDecimal("0.25")).maxCu(BigDecimal.valueOf(2)).release(hostRelease).specVersion(version)
                .build();
        assertThat(apply(spec).phase()).isEqualTo(ComputePhase.RUNNING);
        return spec;
    }

    private ComputeStatus apply(ComputeSpec spec) throws Exception {
        return reconciler.apply(new DesiredState(NODE, ++generation, List.of(spec))).get(120, TimeUnit.SECONDS)
                .computes().get(0);
    }

    private long pid(ComputeSpec spec) {
        return reconciler.running(spec.computeId()).orElseThrow().cluster().postmasterPid().orElseThrow();
    }

    private Connection connect(ComputeSpec spec) throws Exception {
        return TestHost.connectToCompute(paths, spec.computeId(), "app", "app_owner", PASSWORD);
    }

    private void write(ComputeSpec spec, String value) throws Exception {
        try (Connection c = connect(spec); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (body text)");
            st.execute("INSERT INTO notes VALUES ('" + value + "')");
        }
    }

    private String read(ComputeSpec spec) throws Exception {
        return query(spec, "SELECT body FROM notes");
    }

    private String show(ComputeSpec spec, String setting) throws Exception {
        return query(spec, "SHOW " + setting);
    }

    private String query(ComputeSpec spec, String sql) throws Exception {
        try (Connection c = connect(spec); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
