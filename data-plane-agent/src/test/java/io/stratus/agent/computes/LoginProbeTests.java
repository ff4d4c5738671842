package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.Scram;
import io.stratus.agent.TestHost;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.json.JsonMapper;

/** The login probe on a compute's socket, and the pg_hba.conf it checks, against one real compute. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginProbeTests {

    private final LoginProbe probe = new LoginProbe();
    private TestHost host;
    private ComputeReconciler reconciler;
    private ComputeSpec spec;
    private AgentPaths paths;

    @BeforeAll
    void startCompute() throws Exception {
        host = new TestHost();
        paths = host.paths();
        ReleaseCatalog releases = new ReleaseCatalog(List.of(), paths.releases());
        OsUser user = OsUser.forPostgres("postgres");
        reconciler = new ComputeReconciler(host.settings(0), paths, releases, new WarmPool(0, paths, releases, user), user,
                host.cgroups(), JsonMapper.builder().build(), Clock.systemUTC(), event -> { });
        reconciler.start();
        spec = TestSpecs.app().databaseName("shop").ownerRole("shop_owner").ownerVerifier(Scram.verifier("pw"))
                .minCu(BigDecimal.ONE).maxCu(BigDecimal.ONE)
                .release(String.valueOf(releases.defaultRelease().major())).specVersion(1).build();
        NodeObservation observed = reconciler.apply(new DesiredState(UUID.randomUUID(), 1, List.of(spec)))
                .get(120, TimeUnit.SECONDS);
        assertThat(observed.computes().get(0).phase()).isEqualTo(ComputePhase.RUNNING);
    }

    @AfterAll
    void stopCompute() {
        if (reconciler != null) {
            reconciler.stop();
        }
        host.close();
    }

    @Test
    void saysYesForTheOwnerInItsDatabase() {
        LoginProbe.Result result = probe.probe(socket(), "shop_owner", "shop");

        assertThat(result.acceptingLogins()).isTrue();
    }

    @Test
    void saysNoForARoleLetInWithoutAPassword() {
        // The agent's superuser is trusted on the socket: fine for the agent, never a sign of a tenant's login.
        LoginProbe.Result result = probe.probe(socket(), ComputeConventions.SUPERUSER, "postgres");

        assertThat(result.acceptingLogins()).isFalse();
        assertThat(result.detail()).isEqualTo("logged in without a password");
    }

    @Test
    void saysNoForTheOwnerInAnotherDatabase() {
        LoginProbe.Result result = probe.probe(socket(), "shop_owner", "postgres");

        assertThat(result.acceptingLogins()).isFalse();
        assertThat(result.detail()).contains("no pg_hba.conf entry");
    }

    @Test
    void saysNoWhenNothingListens() {
        LoginProbe.Result result = probe.probe(socket().resolveSibling(".s.PGSQL.1"), "shop_owner", "shop");

        assertThat(result.acceptingLogins()).isFalse();
        assertThat(result.detail()).startsWith("no answer on");
    }

    @Test
    void aRoleThatPgHbaDoesNotNameCannotLogInEvenWithAPassword() throws Exception {
        try (var c = TestHost.connectToCompute(paths, spec.computeId(), "shop", ComputeConventions.SUPERUSER, "pw");
             var st = c.createStatement()) {
            st.execute("create role intruder login password 'pw'");
        }

        assertThatThrownBy(() -> TestHost.connectToCompute(paths, spec.computeId(), "shop", "intruder", "pw").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
    }

    private java.nio.file.Path socket() {
        return TestHost.computeSocket(paths, spec.computeId());
    }
}
