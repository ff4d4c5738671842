package io.stratus.controlplane.autoscaling;

import io.stratus.protocol.ComputeMetrics;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Scaling events and per-second samples: append-only time series, written and read with plain SQL.
 */
@Repository
public class ScalingHistory {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ScalingHistory(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A scaling decision as the API shows it. */
    public record ScalingEvent(Instant at, BigDecimal fromCu, BigDecimal toCu, String reason, Map<String, Object> metrics) {
    }

    /** One point of a database's load series. */
    public record Point(Instant at, BigDecimal cu, double cpuCores, double throttledFraction, long memoryBytes,
                 long memoryLimitBytes, int connections, double tps) {
    }

    void recordEvent(UUID databaseId, UUID tenantId, Instant at, BigDecimal from, BigDecimal to, String reason,
                     Map<String, Object> metrics) {
        jdbc.sql("insert into scaling_events (id, database_id, tenant_id, at, from_cu, to_cu, reason, metrics) "
                        + "values (?, ?, ?, ?, ?, ?, ?, cast(? as jsonb))")
                .params(UUID.randomUUID(), databaseId, tenantId, Timestamp.from(at), from, to, reason, json.writeValueAsString(metrics))
                .update();
    }

    void recordSample(UUID databaseId, ComputeMetrics m) {
        jdbc.sql("insert into compute_samples (database_id, at, cu, cpu_cores, throttled_fraction, memory_bytes, "
                        + "memory_limit_bytes, connections, tps) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing")
                .params(databaseId, Timestamp.from(m.at()), m.allowedCu(), m.cpuUsedCores(), m.throttledFraction(),
                        m.memoryWorkingSetBytes(), m.memoryLimitBytes(), m.activeConnections(), m.transactionsPerSecond())
                .update();
    }

    @SuppressWarnings("unchecked")
    public List<ScalingEvent> events(UUID databaseId, Instant from, Instant to, int limit) {
        // The newest `limit` of the range, told oldest first: a long history must not hide what just happened.
        return jdbc.sql("select * from (select at, seq, from_cu, to_cu, reason, metrics::text as metrics from scaling_events "
                        + "where database_id = ? and at >= ? and at < ? order by at desc, seq desc limit ?) newest order by at, seq")
                .params(databaseId, Timestamp.from(from), Timestamp.from(to), limit)
                .query((rs, i) -> new ScalingEvent(rs.getTimestamp("at").toInstant(), rs.getBigDecimal("from_cu").stripTrailingZeros(),
                        rs.getBigDecimal("to_cu").stripTrailingZeros(), rs.getString("reason"),
                        rs.getString("metrics") == null ? Map.of() : json.readValue(rs.getString("metrics"), Map.class)))
                .list();
    }

    /**
     * The samples of [from, to) as they were, or, when {@code bucketSeconds} is above 1, one point per bucket of that
     * many seconds (aligned to {@code from}): CU, CPU, throttling and TPS averaged, memory and connections at their
     * highest, so a chart of a long range still shows every peak that matters for capacity.
     */
    public List<Point> series(UUID databaseId, Instant from, Instant to, long bucketSeconds, int limit) {
        String sql = bucketSeconds <= 1
                ? "select at, cu, cpu_cores, throttled_fraction, memory_bytes, memory_limit_bytes, connections, tps "
                        + "from compute_samples where database_id = ? and at >= ? and at < ? order by at limit ?"
                : "select date_bin(make_interval(secs => " + bucketSeconds + "), at, ?) as at, round(avg(cu), 2) as cu, "
                        + "round(avg(cpu_cores)::numeric, 3) as cpu_cores, "
                        + "round(avg(throttled_fraction)::numeric, 3) as throttled_fraction, "
                        + "max(memory_bytes) as memory_bytes, max(memory_limit_bytes) as memory_limit_bytes, "
                        + "max(connections) as connections, round(avg(tps)::numeric, 2) as tps "
                        + "from compute_samples where database_id = ? and at >= ? and at < ? group by 1 order by 1 limit ?";
        var statement = jdbc.sql(sql);
        if (bucketSeconds > 1) {
            statement = statement.param(Timestamp.from(from));
        }
        return statement.param(databaseId).param(Timestamp.from(from)).param(Timestamp.from(to)).param(limit)
                .query((rs, i) -> new Point(rs.getTimestamp("at").toInstant(), rs.getBigDecimal("cu").stripTrailingZeros(),
                        rs.getDouble("cpu_cores"), rs.getDouble("throttled_fraction"), rs.getLong("memory_bytes"),
                        rs.getLong("memory_limit_bytes"), rs.getInt("connections"), rs.getDouble("tps")))
                .list();
    }

    int deleteSamplesBefore(Instant before) {
        return jdbc.sql("delete from compute_samples where at < ?").params(Timestamp.from(before)).update();
    }
}
