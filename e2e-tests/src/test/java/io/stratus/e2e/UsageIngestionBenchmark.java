package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Usage records accepted per second by the control plane ({@code POST /agent/v1/nodes/{id}/usage}, JSON over HTTP,
 * validated, deduplicated and stored in one transaction per report) against a raw JDBC batch insert of the same rows
 * into the same table of the same database, in the same run. Run with {@code ./mvnw -Pbench verify}.
 */
class UsageIngestionBenchmark {

    private static final int RECORDS = Integer.getInteger("bench.usageRecords", 100_000);
    private static final int BATCH = 500;
    private static final int DATABASES = 10;
    private static final Instant HOUR = Instant.parse("2001-02-03T04:00:00Z");

    @Test
    void ingestionVersusRawJdbcBatchInsert() throws Exception {
        try (StratusProcesses stratus = new StratusProcesses()) {
            stratus.startControlPlane();
            ApiClient api = stratus.api();
            // A node of the benchmark's own: only it offers this release, so the databases are placed on it and
            // nothing ever has to run (their computes are never started: no agent behind this node).
            String release = "16." + (100 + (int) (Math.random() * 1_000_000));
            var reg = api.post(StratusProcesses.BOOTSTRAP, "/agent/v1/nodes", "{\"name\":\"bench-" + UUID.randomUUID()
                    + "\",\"address\":\"127.0.0.9\",\"zone\":\"z\",\"capacityCu\":100,\"releases\":[\"" + release
                    + "\"],\"portMin\":64000,\"portMax\":64099}");
            assertThat(reg.status()).as(reg.raw()).isEqualTo(201);
            String nodeId = reg.text("nodeId");
            String credential = reg.text("credential");
            var tenant = E2e.newTenant(api);
            List<String> dbs = new ArrayList<>();
            for (int i = 0; i < DATABASES; i++) {
                var r = api.post(tenant.adminKey(), "/v1/databases", "{\"name\":\"ingest_" + i
                        + "\",\"minCu\":0.25,\"maxCu\":2,\"release\":\"" + release + "\"}");
                assertThat(r.status()).as(r.raw()).isEqualTo(202);
                dbs.add(r.at("/database/id").asString());
            }

            // Warm-up for both paths (JIT, plans), then the measured runs on fresh sequence numbers.
            viaApi(api, nodeId, credential, dbs, 0, 20 * BATCH);
            raw(stratus, nodeId, tenant.id(), dbs, 10_000_000L, 20 * BATCH);
            double apiSeconds = viaApi(api, nodeId, credential, dbs, 1_000_000L, RECORDS);
            double rawSeconds = raw(stratus, nodeId, tenant.id(), dbs, 20_000_000L, RECORDS);

            try (Connection c = connect(stratus); var st = c.createStatement();
                 var rs = st.executeQuery("select count(*) from usage_records where node_id = '" + nodeId + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("every record stored once").isEqualTo(2L * (RECORDS + 20 * BATCH));
            }
            double apiRate = RECORDS / apiSeconds;
            double rawRate = RECORDS / rawSeconds;
            String report = String.format("usage ingestion: %d records in reports of %d, one client%n"
                            + "  raw JDBC batch insert        %,10.0f records/s%n"
                            + "  POST /agent/v1/nodes/{id}/usage %,7.0f records/s%n"
                            + "  ratio stratus/raw            %10.2f x%n",
                    RECORDS, BATCH, rawRate, apiRate, apiRate / rawRate);
            System.out.print(report);
            Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    private static double viaApi(ApiClient api, String nodeId, String credential, List<String> dbs, long firstSeq,
                                 int count) {
        long t0 = System.nanoTime();
        for (int start = 0; start < count; start += BATCH) {
            StringBuilder body = new StringBuilder("{\"nodeId\":\"").append(nodeId).append("\",\"records\":[");
            for (int i = start; i < Math.min(count, start + BATCH); i++) {
                if (i > start) {
                    body.append(',');
                }
                Instant from = window(i);
                body.append("{\"seq\":").append(firstSeq + i).append(",\"computeId\":\"").append(dbs.get(i % dbs.size()))
                        .append("\",\"from\":\"").append(from).append("\",\"to\":\"").append(from.plusSeconds(10))
                        .append("\",\"requests\":").append(i % 97).append(",\"rowsRead\":").append(i % 89)
                        .append(",\"rowsWritten\":").append(i % 83).append(",\"cuSeconds\":2.5,\"storageBytes\":")
                        .append(8_000_000 + i).append(",\"storageByteSeconds\":").append(80_000_000L + i)
                        .append(",\"egressBytes\":0,\"exact\":true,\"requestSource\":\"pg_stat_statements\"}");
            }
            body.append("]}");
            var r = api.post(credential, "/agent/v1/nodes/" + nodeId + "/usage", body.toString());
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The same rows, columns the control plane would fill included, in JDBC batches of the same size. */
    private static double raw(StratusProcesses stratus, String nodeId, String tenantId, List<String> dbs, long firstSeq,
                              int count) throws Exception {
        try (Connection c = connect(stratus)) {
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("insert into usage_records (node_id, seq, database_id,"
                    + " tenant_id, window_start, window_end, usage_hour, billing_hour, late, requests, rows_read,"
                    + " rows_written, cu_seconds, storage_bytes, storage_byte_seconds, egress_bytes, exact,"
                    + " request_source, received_at) values (?::uuid, ?, ?::uuid, ?::uuid, ?, ?, ?, ?, false, ?, ?,"
                    + " ?, 2.5, ?, ?, 0, true, 'pg_stat_statements', now())")) {
                for (int start = 0; start < count; start += BATCH) {
                    for (int i = start; i < Math.min(count, start + BATCH); i++) {
                        Instant from = window(i);
                        ps.setString(1, nodeId);
                        ps.setLong(2, firstSeq + i);
                        ps.setString(3, dbs.get(i % dbs.size()));
                        ps.setString(4, tenantId);
                        ps.setTimestamp(5, Timestamp.from(from));
                        ps.setTimestamp(6, Timestamp.from(from.plusSeconds(10)));
                        ps.setTimestamp(7, Timestamp.from(HOUR));
                        ps.setTimestamp(8, Timestamp.from(HOUR));
                        ps.setLong(9, i % 97);
                        ps.setLong(10, i % 89);
                        ps.setLong(11, i % 83);
                        ps.setLong(12, 8_000_000 + i);
                        ps.setLong(13, 80_000_000L + i);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                }
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** Windows of 10 s inside one past hour, so every record is valid and none crosses an hour boundary. */
    private static Instant window(int i) {
        return HOUR.plusSeconds((i % 359) * 10L);
    }

    private static Connection connect(StratusProcesses stratus) throws Exception {
        var db = stratus.metadata();
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }
}
