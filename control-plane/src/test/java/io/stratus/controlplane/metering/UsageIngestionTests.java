package io.stratus.controlplane.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code POST /agent/v1/nodes/{id}/usage}: each (node, seq) counted once however often it is delivered, bad reports
 * refused whole, records for computes that are not this node's databases dropped but acknowledged.
 */
class UsageIngestionTests extends MeteringTest {

    @Autowired
    MeterRegistry meters;

    private long hourlyRequests(String db) {
        return jdbc.queryForObject("select coalesce(sum(requests), 0) from usage_hourly where database_id = ?::uuid", Long.class, db);
    }

    @Test
    void acknowledgesTheLargestSequenceNumberOfTheReport() {
        String db = database("acked");
        var r = postUsage(List.of(rec(3, db, day, 1), rec(7, db, day.plusSeconds(10), 1), rec(5, db, day.plusSeconds(20), 1)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("throughSeq").asLong()).isEqualTo(7);
        assertThat(storedRecords(node)).isEqualTo(3);
    }

    @Test
    void retriedDeliveryIsCountedOnce() {
        String db = database("retried");
        List<Rec> records = List.of(rec(1, db, day, 10), rec(2, db, day.plusSeconds(10), 20));
        assertThat(postUsage(records).status()).isEqualTo(200);
        // The ack was lost: the agent sends the same records again, plus a new one.
        var again = postUsage(List.of(records.get(0), records.get(1), rec(3, db, day.plusSeconds(20), 30)));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("throughSeq").asLong()).isEqualTo(3);
        assertThat(postUsage(records).status()).isEqualTo(200);
        ledger.rollUpPending();
        assertThat(storedRecords(node)).isEqualTo(3);
        assertThat(hourlyRequests(db)).isEqualTo(60);
    }

    @Test
    void aRedeliveryWithChangedCountersKeepsTheFirstVersion() {
        String db = database("first");
        assertThat(postUsage(List.of(rec(1, db, day, 10))).status()).isEqualTo(200);
        assertThat(postUsage(List.of(rec(1, db, day, 99))).status()).isEqualTo(200);
        ledger.rollUpPending();
        assertThat(hourlyRequests(db)).isEqualTo(10);
    }

    @Test
    void concurrentDuplicateDeliveriesAreCountedOnce() throws Exception {
        String db = database("racing");
        List<Rec> records = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            records.add(rec(i, db, day.plusSeconds(i * 10L), i));
        }
        String body = report(node.id(), records);
        int deliveries = 8;
        CyclicBarrier start = new CyclicBarrier(deliveries);
        ExecutorService pool = Executors.newFixedThreadPool(deliveries);
        try {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return postUsage(node, body).status();
                }, pool));
            }
            for (var r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        ledger.rollUpPending();
        assertThat(storedRecords(node)).isEqualTo(200);
        assertThat(hourlyRequests(db)).isEqualTo(200 * 201 / 2);
    }

    @Test
    void recordsForADatabaseOnAnotherNodeOrUnknownAreDroppedButAcknowledged() {
        String mine = database("mine");
        TestNode other = newNode();
        String elsewhere = database(tenant, other, "elsewhere");
        double before = rejectedCount();
        var r = postUsage(List.of(rec(1, mine, day, 5), rec(2, elsewhere, day, 50), rec(3, UUID.randomUUID().toString(), day, 500)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().get("throughSeq").asLong()).isEqualTo(3);
        assertThat(storedRecords(node)).isEqualTo(1);
        assertThat(count("usage_records where database_id = '" + elsewhere + "'")).isZero();
        assertThat(rejectedCount() - before).isEqualTo(2.0);
    }

    @Test
    void aDeletedDatabasesLateRecordsAreStillAccepted() {
        String db = database("gone");
        jdbc.update("update databases set state = 'DELETED', deleted_at = now() where id = ?::uuid", db);
        assertThat(postUsage(List.of(rec(1, db, day, 4))).status()).isEqualTo(200);
        ledger.rollUpPending();
        assertThat(hourlyRequests(db)).isEqualTo(4);
    }

    @Test
    void emptyReportIsAcknowledgedWithNothing() {
        var r = postUsage(List.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("throughSeq").asLong()).isEqualTo(-1);
    }

    @Test
    void windowEndingBeforeItStartsIsRefusedAndNothingStored() {
        String db = database("backwards");
        assertRefused(List.of(rec(1, db, day, 1), rec(2, db, day.plusSeconds(10), 1).withWindow(day.plusSeconds(20), day.plusSeconds(10))),
                "records[1].to");
    }

    @Test
    void windowCrossingAnHourBoundaryIsRefusedAndNothingStored() {
        String db = database("crossing");
        Instant end = day.plus(Duration.ofHours(1));
        // Ending exactly on the boundary is fine (the end is exclusive); one second past it is not.
        assertThat(postUsage(List.of(rec(1, db, day, 1).withWindow(end.minusSeconds(10), end))).status()).isEqualTo(200);
        assertRefused(List.of(rec(2, db, day, 1).withWindow(end.minusSeconds(10), end.plusSeconds(1))), "records[0].to");
        assertThat(storedRecords(node)).isEqualTo(1);
    }

    @Test
    void negativeCounterIsRefusedAndNothingStored() {
        String db = database("negative");
        assertRefused(List.of(rec(1, db, day, 1), rec(2, db, day, 1).withRequests(-1)), "records[1].requests");
        var negativeCu = "{\"nodeId\":\"" + node.id() + "\",\"records\":[" + rec(1, db, day, 1).json().replace("\"cuSeconds\":1.5", "\"cuSeconds\":-0.5") + "]}";
        var r = postUsage(node, negativeCu);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.at("/errors/0/field").asString()).isEqualTo("records[0].cuSeconds");
        assertThat(storedRecords(node)).isZero();
    }

    @Test
    void missingFieldsAreRefusedAndNothingStored() {
        String db = database("partial");
        String body = "{\"nodeId\":\"" + node.id() + "\",\"records\":[" + rec(1, db, day, 1).json()
                .replace("\"computeId\":\"" + db + "\",", "").replace(",\"requestSource\":\"front-door\"", "") + "]}";
        var r = postUsage(node, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsString("field")).contains("records[0].computeId", "records[0].requestSource");
        assertThat(storedRecords(node)).isZero();
    }

    @Test
    void nodeIdInTheBodyMustBeThePathsNode() {
        String db = database("mismatch");
        TestNode other = newNode();
        var r = postUsage(node, report(other.id(), List.of(rec(1, db, day, 1))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.at("/errors/0/field").asString()).isEqualTo("nodeId");
        assertThat(storedRecords(node)).isZero();
        assertThat(storedRecords(other)).isZero();
    }

    @Test
    void moreThanFiveThousandRecordsAreRefused() {
        String db = database("flood");
        List<Rec> records = new ArrayList<>();
        for (int i = 1; i <= 5001; i++) {
            records.add(rec(i, db, day.plusMillis(i * 100L), 1));
        }
        var r = postUsage(records);
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.at("/errors/0/field").asString()).isEqualTo("records");
        assertThat(storedRecords(node)).isZero();
        // 5000 fit (and fit the request size limit).
        var full = postUsage(records.subList(0, 5000));
        assertThat(full.status()).as(full.raw()).isEqualTo(200);
        assertThat(storedRecords(node)).isEqualTo(5000);
    }

    @Test
    void anotherNodesCredentialCannotPostUsage() {
        String db = database("foreign");
        TestNode other = newNode();
        var r = api().post(other.credential(), "/agent/v1/nodes/" + node.id() + "/usage", report(node.id(), List.of(rec(1, db, day, 1))));
        assertThat(r.status()).isEqualTo(401);
        assertThat(api().post(tenant.adminKey(), "/agent/v1/nodes/" + node.id() + "/usage",
                report(node.id(), List.of(rec(1, db, day, 1)))).status()).isEqualTo(401);
        assertThat(storedRecords(node)).isZero();
    }

    private void assertRefused(List<Rec> records, String field) {
        long before = storedRecords(node);
        var r = postUsage(records);
        assertThat(r.status()).as(r.raw()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).contains(field);
        assertThat(storedRecords(node)).isEqualTo(before);
    }

    private double rejectedCount() {
        var c = meters.find("stratus.usage.rejected").counter();
        return c == null ? 0 : c.count();
    }
}
