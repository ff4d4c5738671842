package io.stratus.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.MetricsReport;
import io.stratus.protocol.NodeStatus;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole agent as {@code java -jar} runs it, against a fake control plane: registers, fills its warm pool,
 * provisions a compute the owner can log in to, reports it, and stops its postmaster when the context closes.
 */
class AgentApplicationTests {

    @Test
    void provisionsAComputeFromDesiredStateAndStopsItOnShutdown() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane(); TestHost host = new TestHost()) {
            ConfigurableApplicationContext context = new SpringApplicationBuilder(AgentApplication.class).properties(
                    "stratus.agent.control-plane-url=" + cp.url(),
                    "stratus.agent.bootstrap-token=" + FakeControlPlane.BOOTSTRAP_TOKEN,
                    "stratus.agent.data-dir=" + host.dir.resolve("agent"),
                    "stratus.agent.node-name=agent-test",
                    "stratus.agent.warm-pool-size=1",
                    "stratus.agent.heartbeat-interval=1s",
                    "stratus.agent.health-check-interval=500ms",
                    "stratus.agent.long-poll-timeout=2s",
                    "stratus.agent.cgroup-parent=" + host.cgroupParent,
                    "stratus.agent.usage-interval=500ms",
                    "stratus.agent.usage-max-idle-window=1s",
                    "stratus.agent.front-door.port=0",
                    "spring.main.keep-alive=false").run();
            long pid;
            try {
                WarmPool pool = context.getBean(WarmPool.class);
                await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> cp.lastStatus() != null);
                assertThat(cp.registrations).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("agent-test"));

                String major = String.valueOf(new ReleaseCatalog(List.of(), null).defaultRelease().major());
                ComputeSpec spec = ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName("orders")
                        .ownerRole("orders_owner").ownerVerifier(Scram.verifier("pw")).running(true).cu(BigDecimal.ONE)
                        .minCu(BigDecimal.ONE).maxCu(BigDecimal.valueOf(2)).release(major)
                        .specVersion(1).build();
                cp.publish(new DesiredState(cp.nodeId(), 2, List.of(spec)));

                await().atMost(Duration.ofSeconds(60)).until(() -> running(cp.lastStatus()));
                assertThat(cp.lastStatus().observedGeneration()).isEqualTo(2);
                assertThat(cp.lastStatus().enforcement()).isEqualTo(host.cgroups().enforcement());
                // About a second after it runs, its load samples arrive: one per round, the compute's own.
                await().atMost(Duration.ofSeconds(10)).until(() -> !cp.metrics.isEmpty());
                MetricsReport report = cp.metrics.get(cp.metrics.size() - 1);
                System.out.println("metrics report as sent: " + cp.metricsBodies.get(cp.metricsBodies.size() - 1));
                assertThat(report.nodeId()).isEqualTo(cp.nodeId());
                assertThat(report.samples()).singleElement().satisfies(sample -> {
                    assertThat(sample.computeId()).isEqualTo(spec.computeId());
                    assertThat(sample.allowedCu()).isEqualByComparingTo("1");
                    assertThat(sample.activeConnections()).isZero();
                    assertThat(sample.memoryWorkingSetBytes()).isPositive();
                });
                try (Connection c = TestHost.connectToCompute(new AgentPaths(host.dir.resolve("agent")),
                        spec.computeId(), "orders", "orders_owner", "pw")) {
                    assertThat(c.isValid(2)).isTrue();
                }
                // Its usage is metered, spooled and delivered: CU-seconds and storage while it runs.
                await().atMost(Duration.ofSeconds(20)).until(() -> cp.usageReports.stream()
                        .flatMap(r -> r.records().stream())
                        .anyMatch(u -> u.computeId().equals(spec.computeId()) && u.cuSeconds().signum() > 0
                                && u.storageBytes() > 0));
                Path pgdata = host.dir.resolve("agent/computes/" + spec.computeId() + "/pgdata");
                pid = new PostgresCluster(new ReleaseCatalog(List.of(), null).find(major).orElseThrow(), pgdata,
                        OsUser.forPostgres("postgres")).postmasterPid().orElseThrow();
                // The claimed cluster is replaced in the background; let that initdb finish before shutting down.
                await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 1);
                assertThat(Files.exists(host.dir.resolve("agent/node.json"))).isTrue();
            } finally {
                context.close();
            }
            assertThat(TestHost.isLive(pid)).as("postmaster stopped with the agent").isFalse();
        }
    }

    private static boolean running(NodeStatus status) {
        if (status == null || status.computes().size() != 1) {
            return false;
        }
        ComputeStatus compute = status.computes().get(0);
        return compute.phase() == ComputePhase.RUNNING && compute.acceptingLogins();
    }
}
