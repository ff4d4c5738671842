package io.stratus.agent.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.FakeControlPlane;
import io.stratus.agent.TestHost;
import io.stratus.agent.metering.SpoolEntry;
import io.stratus.agent.metering.UsageCursor;
import io.stratus.agent.metering.UsageSpool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.protocol.UsageRecord;
import io.stratus.protocol.UsageReport;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The spool's delivery to a fake control plane that fails, acknowledges part of a batch, and revokes credentials. */
class UsageShipperTests {

    private static final UUID COMPUTE = UUID.randomUUID();
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    private FakeControlPlane cp;
    private TestHost host;
    private AgentPaths paths;
    private UsageSpool spool;
    private NodeRegistration registration;
    private UsageShipper shipper;

    @BeforeEach
    void setUp() throws Exception {
        cp = new FakeControlPlane();
        host = new TestHost();
        AgentSettings settings = host.settings(cp.url(), 0, Duration.ofMinutes(5));
        paths = host.paths();
        JsonMapper json = JsonMapper.builder().build();
        ControlPlaneClient client = new ControlPlaneClient(settings,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), json);
        registration = new NodeRegistration(settings, new NodeIdentityStore(paths, json), client,
                new ReleaseCatalog(List.of(), paths.releases()));
        registration.awaitIdentity();
        spool = UsageSpool.open(paths.usage());
        shipper = new UsageShipper(registration, client, spool, 7, Duration.ofMillis(20), Duration.ofMillis(10),
                Duration.ofMillis(50));
    }

    @AfterEach
    void tearDown() {
        shipper.stop();
        spool.close();
        cp.close();
        host.close();
    }

    @Test
    void everyRecordArrivesInOrderAtLeastOnceThroughFailuresAndPartialAcksAndTheSpoolDrains() throws Exception {
        List<UsageRecord> spooled = spool(50);
        AtomicInteger calls = new AtomicInteger();
        // Every third report fails; the others acknowledge all but the last two records of the batch.
        cp.usageAnswer = r -> {
            int n = calls.incrementAndGet();
            if (n % 3 == 0) {
                return null;
            }
            List<UsageRecord> records = r.records();
            return records.get(Math.max(0, records.size() - 3)).seq();
        };
        shipper.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> spool.pendingCount() == 0);

        Set<Long> arrived = new LinkedHashSet<>();
        for (UsageReport report : cp.usageReports) {
            assertThat(report.nodeId()).isEqualTo(cp.nodeId());
            assertThat(report.records()).hasSizeLessThanOrEqualTo(7);
            List<Long> seqs = report.records().stream().map(UsageRecord::seq).toList();
            assertThat(seqs).as("oldest first, without gaps").isSorted();
            assertThat(seqs.get(seqs.size() - 1) - seqs.get(0)).isEqualTo(seqs.size() - 1);
            arrived.addAll(seqs);
        }
        assertThat(arrived).containsExactlyElementsOf(spooled.stream().map(UsageRecord::seq).toList());
        List<UsageRecord> received = cp.usageReports.stream().flatMap(r -> r.records().stream())
                .filter(r -> r.seq() == 17).toList();
        assertThat(received).as("what arrives is what was spooled").allSatisfy(r -> assertThat(r).isEqualTo(spooled.get(16)));
        assertThat(spool.pending(100)).isEmpty();
        // Later records keep flowing through the running shipper.
        cp.usageAnswer = r -> r.records().get(r.records().size() - 1).seq();
        List<UsageRecord> more = spool(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> spool.pendingCount() == 0);
        assertThat(more.get(0).seq()).isEqualTo(51);
    }

    @Test
    void anAckOfNothingIsAFailureAndAnAckOfMoreThanWasSentAcknowledgesWhatWasSent() throws Exception {
        spool(10);
        cp.usageAnswer = r -> 0L;
        assertThatThrownBy(shipper::deliverPending).isInstanceOf(ControlPlaneException.class)
                .hasMessageContaining("acknowledged none");
        assertThat(spool.pendingCount()).isEqualTo(10);

        cp.usageAnswer = r -> 1_000L;
        shipper.deliverPending();
        assertThat(spool.pendingCount()).isZero();
        assertThat(spool.ackedThrough()).isEqualTo(10);
        // An ack beyond the batch acknowledges only what was sent: the rest of the spool still went out, in order.
        List<Long> lastReport = cp.usageReports.get(cp.usageReports.size() - 1).records().stream()
                .map(UsageRecord::seq).toList();
        assertThat(lastReport).containsExactly(8L, 9L, 10L);
    }

    @Test
    void aRejectedCredentialRegistersAgainAndTheRecordsAreSentUnderTheNewOne() throws Exception {
        spool(3);
        cp.revokeCredential();
        assertThatThrownBy(shipper::deliverPending).isInstanceOf(ControlPlaneException.CredentialRejected.class);
        assertThat(registration.current()).isEmpty();
        assertThat(spool.pendingCount()).isEqualTo(3);

        registration.awaitIdentity();
        shipper.deliverPending();

        assertThat(spool.pendingCount()).isZero();
        assertThat(cp.registrations).hasSize(2);
    }

    @Test
    void aKilledAgentSendsTheUnacknowledgedRecordsAgainWithTheSameSeqs() throws Exception {
        List<UsageRecord> spooled = spool(5);
        cp.usageAnswer = r -> 2L;
        assertThatThrownBy(shipper::deliverPending).isInstanceOf(ControlPlaneException.class);
        // kill -9: the spool object is dropped, and the next agent opens the files.
        UsageSpool reopened = UsageSpool.open(paths.usage());
        cp.usageAnswer = r -> r.records().get(r.records().size() - 1).seq();
        new UsageShipper(registration, clientFor(), reopened, 7, Duration.ofMillis(20), Duration.ofMillis(10),
                Duration.ofMillis(50)).deliverPending();

        UsageReport last = cp.usageReports.get(cp.usageReports.size() - 1);
        assertThat(last.records()).isEqualTo(spooled.subList(2, 5));
        assertThat(reopened.pendingCount()).isZero();
        reopened.close();
    }

    private ControlPlaneClient clientFor() {
        return new ControlPlaneClient(host.settings(cp.url(), 0, Duration.ofMinutes(5)),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), JsonMapper.builder().build());
    }

    private int spooledSoFar;

    private List<UsageRecord> spool(int n) throws Exception {
        List<SpoolEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = spooledSoFar++;
            Instant from = T0.plusSeconds(10L * k);
            Instant to = from.plusSeconds(10);
            entries.add(new SpoolEntry(new UsageRecord(0, COMPUTE, from, to, k, 2L * k, 3L * k, new BigDecimal("2.500"),
                    1000, 10_000, 0, true, "pg_stat_statements"), new UsageCursor(COMPUTE, to, T0, T0, 0, k, 2L * k,
                    3L * k, 1000, BigDecimal.ONE, 0, 0)));
        }
        return spool.append(entries);
    }
}
