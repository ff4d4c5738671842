package io.stratus.agent.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.FakeControlPlane;
import io.stratus.agent.TestHost;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.ComputesChanged;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.agent.tasks.TaskRunner;
import io.stratus.postgres.OsUser;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.NodeStatus;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Registration, the desired-state long-poll and status reports against a fake control plane speaking /agent/v1. */
class ControlPlaneSyncTests {

    private final JsonMapper json = JsonMapper.builder().build();
    private FakeControlPlane cp;
    private TestHost host;
    private AgentSettings settings;
    private AgentPaths paths;
    private ReleaseCatalog releases;
    private ControlPlaneClient client;

    @BeforeEach
    void setUp() throws Exception {
        cp = new FakeControlPlane();
        host = new TestHost();
        // A heartbeat too slow to matter: status that arrives within the test came from a pass, not a heartbeat.
        settings = host.settings(cp.url(), 0, Duration.ofMinutes(5));
        paths = host.paths();
        releases = new ReleaseCatalog(List.of(), paths.releases());
        client = new ControlPlaneClient(settings, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), json);
    }

    @AfterEach
    void tearDown() {
        cp.close();
        host.close();
    }

    @Test
    void registersOnceAndKeepsTheIdentityInAPrivateFile() throws Exception {
        NodeIdentity identity = registration().awaitIdentity();

        assertThat(identity.nodeId()).isEqualTo(cp.nodeId());
        assertThat(cp.registrations).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("test-node");
            assertThat(r.address()).isEqualTo("127.0.0.1");
            assertThat(r.releases()).isNotEmpty();
            assertThat(r.frontDoorPort()).isEqualTo(6432);
        });
        assertThat(Files.getPosixFilePermissions(paths.nodeFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // A restarted agent finds itself in node.json and does not register again.
        assertThat(registration().awaitIdentity()).isEqualTo(identity);
        assertThat(cp.registrations).hasSize(1);
    }

    @Test
    void keepsRetryingRegistrationWhileTheControlPlaneIsUnavailable() throws Exception {
        cp.unavailableRegistrations.set(2);

        NodeIdentity identity = registration().awaitIdentity();

        assertThat(identity.credential()).isEqualTo(cp.credential());
        assertThat(cp.registrations).hasSize(3);
    }

    @Test
    void registersAgainAfterTheCredentialIsRejected() throws Exception {
        NodeRegistration registration = registration();
        NodeIdentity first = registration.awaitIdentity();
        cp.revokeCredential();

        assertThatThrownBy(() -> client.reportStatus(first, status(first)))
                .isInstanceOf(ControlPlaneException.CredentialRejected.class);
        registration.forget(first);

        assertThat(paths.nodeFile()).doesNotExist();
        NodeIdentity second = registration.awaitIdentity();
        assertThat(second.credential()).isEqualTo(cp.credential()).isNotEqualTo(first.credential());
        assertThat(Files.readString(paths.nodeFile())).contains(second.credential());
    }

    @Test
    void watchesDesiredStateAndReportsRightAfterEachPass() throws Exception {
        AtomicReference<StatusReporter> reporter = new AtomicReference<>();
        OsUser user = OsUser.forPostgres("postgres");
        ComputeReconciler reconciler = new ComputeReconciler(settings, paths, releases, new WarmPool(0, paths, releases, user),
                user, host.cgroups(), json, Clock.systemUTC(), e -> reporter.get().onComputesChanged((ComputesChanged) e));
        NodeRegistration registration = registration();
        TaskRunner tasks = new TaskRunner(paths, json, List.of(), id -> Optional.empty(), Clock.systemUTC(), e -> { });
        reporter.set(new StatusReporter(registration, client, reconciler, tasks, Clock.systemUTC(), settings));
        DesiredStateWatcher watcher = new DesiredStateWatcher(registration, client, reconciler, tasks, settings);
        reconciler.start();
        reporter.get().start();
        watcher.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> observed(1));
            assertThat(cp.lastStatus().enforcement()).isEqualTo(host.cgroups().enforcement());

            cp.publish(new DesiredState(cp.nodeId(), 2, List.of()));
            await().atMost(Duration.ofSeconds(3)).until(() -> observed(2));
            assertThat(cp.polls).startsWith(0L, 1L);

            // A revoked credential: the watcher's next call gets 401, the node registers again and asks for all.
            cp.revokeCredential();
            await().atMost(Duration.ofSeconds(10)).until(() -> cp.registrations.size() == 2);
            await().atMost(Duration.ofSeconds(5)).until(() -> cp.polls.lastIndexOf(0L) > 0);
            assertThat(Files.readString(paths.nodeFile())).contains(cp.credential());
        } finally {
            watcher.stop();
            reporter.get().stop();
            reconciler.stop();
        }
    }

    private boolean observed(long generation) {
        NodeStatus last = cp.lastStatus();
        return last != null && last.observedGeneration() == generation;
    }

    private NodeRegistration registration() {
        return new NodeRegistration(settings, new NodeIdentityStore(paths, json), client, releases);
    }

    private static NodeStatus status(NodeIdentity node) {
        return new NodeStatus(node.nodeId(), 0, Instant.now(), BigDecimal.ONE, "none", List.of(), 0L, List.of());
    }
}
