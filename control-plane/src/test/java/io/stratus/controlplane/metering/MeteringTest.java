package io.stratus.controlplane.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Base of the metering tests: the test plays a node of its own (only it offers the test's Postgres release, so the
 * test's databases are placed on it) and posts usage reports like an agent. Usage lies on a random day in the past so
 * that tests sharing the metadata database never close or read each other's hours.
 */
abstract class MeteringTest extends ControlPlaneTest {

    private static final Random RANDOM = new Random();

    @Autowired
    protected UsageLedger ledger;

    protected TestNode node;
    protected TestTenant tenant;
    /** A UTC day start in the past, this test's own. */
    protected Instant day;

    protected record TestNode(String id, String credential, String release) {
    }

    @BeforeEach
    void nodeTenantAndDay() {
        node = newNode();
        tenant = newTenant();
        day = Instant.parse("2001-01-01T00:00:00Z").plus(Duration.ofDays(RANDOM.nextInt(20 * 365)));
    }

    protected TestNode newNode() {
        String release = "16." + (100 + RANDOM.nextInt(1_000_000));
        var reg = api().post(BOOTSTRAP_TOKEN, "/agent/v1/nodes", "{\"name\":\"meter-" + UUID.randomUUID()
                + "\",\"address\":\"127.0.0.7\",\"zone\":\"z\",\"capacityCu\":100,\"releases\":[\"" + release + "\"],"
                + "\"frontDoorPort\":6432}");
        assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
        return new TestNode(reg.text("nodeId"), reg.text("credential"), release);
    }

    /** A database of {@code t} placed on {@code n}. */
    protected String database(TestTenant t, TestNode n, String name) {
        var r = api().post(t.adminKey(), "/v1/databases", "{\"name\":\"" + name + "\",\"minCu\":0.25,\"maxCu\":2,\"release\":\""
                + n.release() + "\"}");
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String id = r.at("/database/id").asString();
        assertThat(jdbc.queryForObject("select node_id::text from databases where id = ?::uuid", String.class, id))
                .isEqualTo(n.id());
        return id;
    }

    protected String database(String name) {
        return database(tenant, node, name);
    }

    /** A usage record with the given counters; the other counters derive from requests so that sums are checkable. */
    protected static Rec rec(long seq, String db, Instant from, long requests) {
        return new Rec(seq, db, from, from.plusSeconds(10), requests, requests * 2, requests * 3, "1.5", 1000 + requests,
                10_000 * requests, 7 * requests, true);
    }

    protected record Rec(long seq, String db, Instant from, Instant to, long requests, long rowsRead, long rowsWritten,
                         String cuSeconds, long storageBytes, long storageByteSeconds, long egressBytes, boolean exact) {

        Rec withWindow(Instant from, Instant to) {
            return new Rec(seq, db, from, to, requests, rowsRead, rowsWritten, cuSeconds, storageBytes, storageByteSeconds, egressBytes, exact);
        }

        Rec withRequests(long requests) {
            return new Rec(seq, db, from, to, requests, rowsRead, rowsWritten, cuSeconds, storageBytes, storageByteSeconds, egressBytes, exact);
        }

        Rec inexact() {
            return new Rec(seq, db, from, to, requests, rowsRead, rowsWritten, cuSeconds, storageBytes, storageByteSeconds, egressBytes, false);
        }

        String json() {
            return "{\"seq\":" + seq + ",\"computeId\":\"" + db + "\",\"from\":\"" + from + "\",\"to\":\"" + to
                    + "\",\"requests\":" + requests + ",\"rowsRead\":" + rowsRead + ",\"rowsWritten\":" + rowsWritten
                    + ",\"cuSeconds\":" + cuSeconds + ",\"storageBytes\":" + storageBytes + ",\"storageByteSeconds\":"
                    + storageByteSeconds + ",\"egressBytes\":" + egressBytes + ",\"exact\":" + exact
                    + ",\"requestSource\":\"front-door\"}";
        }
    }

    protected static String report(String nodeId, List<Rec> records) {
        List<String> json = new ArrayList<>();
        records.forEach(r -> json.add(r.json()));
        return "{\"nodeId\":\"" + nodeId + "\",\"records\":[" + String.join(",", json) + "]}";
    }

    protected ApiClient.Response postUsage(TestNode n, String body) {
        return api().post(n.credential(), "/agent/v1/nodes/" + n.id() + "/usage", body);
    }

    protected ApiClient.Response postUsage(List<Rec> records) {
        return postUsage(node, report(node.id(), records));
    }

    protected long storedRecords(TestNode n) {
        return jdbc.queryForObject("select count(*) from usage_records where node_id = ?::uuid", Long.class, n.id());
    }

    protected ApiClient.Response usage(String key, String path, Instant from, Instant to, String granularity) {
        return api().get(key, path + "?from=" + from + "&to=" + to + "&granularity=" + granularity);
    }
}
