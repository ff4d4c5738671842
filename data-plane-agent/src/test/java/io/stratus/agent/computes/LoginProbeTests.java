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
import io.stratus.postgres.PostgresCluster;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.sql.DriverManager;
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

/** The TCP login probe, and the pg_hba.conf it checks, against one real compute. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginProbeTests {

    private final LoginProbe probe = new LoginProbe();
    private TestHost host;
    private ComputeReconciler reconciler;
    private ComputeSpec spec;

    @BeforeAll
    void startCompute() throws Exception {
        host = new TestHost();
        AgentPaths paths = host.paths();
        ReleaseCatalog releases = new ReleaseCatalog(List.of(), paths.releases());
        OsUser user = OsUser.forPostgres("postgres");
        reconciler = new ComputeReconciler(host.settings(0), paths, releases, new WarmPool(0, paths, releases, user), user,
                host.cgroups(), JsonMapper.builder().build(), Clock.systemUTC(), event -> { });
        reconciler.start();
        spec = TestSpecs.app().databaseName("shop").ownerRole("shop_owner").ownerVerifier(Scram.verifier("pw"))
                .minCu(BigDecimal.ONE).maxCu(BigDecimal.ONE).port(PostgresCluster.freePort())
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
        LoginProbe.Result result = probe.probe("127.0.0.1", spec.port(), "shop_owner", "shop");

        assertThat(result.acceptingLogins()).isTrue();
    }

    @Test
    void saysNoForARoleThatPgHbaDoesNotAdmitOverTcp() {
        LoginProbe.Result result = probe.probe("127.0.0.1", spec.port(), ComputeConventions.SUPERUSER, "postgres");

        assertThat(result.acceptingLogins()).isFalse();
        assertThat(result.detail()).contains("no pg_hba.conf entry");
    }

    @Test
    void saysNoForTheOwnerInAnotherDatabase() {
        LoginProbe.Result result = probe.probe("127.0.0.1", spec.port(), "shop_owner", "postgres");

        assertThat(result.acceptingLogins()).isFalse();
        assertThat(result.detail()).contains("no pg_hba.conf entry");
    }

    @Test
    void saysNoWhenNothingListens() {
        LoginProbe.Result result = probe.probe("127.0.0.1", PostgresCluster.freePort(), "shop_owner", "shop");

        assertThat(result.acceptingLogins()).isFalse();
        assertThat(result.detail()).startsWith("no answer from");
    }

    @Test
    void superuserCannotLogInOverTcpEvenWithAPassword() {
        String url = "jdbc:postgresql://127.0.0.1:" + spec.port() + "/postgres";

        assertThatThrownBy(() -> DriverManager.getConnection(url, ComputeConventions.SUPERUSER, "anything").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
    }
}
