package io.stratus.controlplane.metering;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves usage records into hourly sums and closes hours for billing.
 *
 * <p>Roll-up is idempotent and crash-safe: each batch marks its records {@code rolled_up} and adds them to
 * {@code usage_hourly} in one transaction, so a record is added exactly once or, after a crash, not at all and again
 * by the next run. Closing an hour is final: usage that arrives for a closed hour is billed in an open one (see
 * {@code V3__metering_billing.sql} and {@link UsageLocks}).
 */
@Service
public class UsageLedger {

    private static final String ROLL_UP = """
            with batch as (
                select node_id, seq from usage_records
                where not rolled_up %s
                order by node_id, seq
                limit ? for update %s
            ), marked as (
                update usage_records u set rolled_up = true
                from batch b where u.node_id = b.node_id and u.seq = b.seq
                returning u.database_id, u.tenant_id, u.billing_hour, u.requests, u.rows_read, u.rows_written,
                          u.cu_seconds, u.storage_byte_seconds, u.storage_bytes, u.egress_bytes, u.ingress_bytes, u.exact,
                          u.late
            ), added as (
                insert into usage_hourly (database_id, tenant_id, hour, requests, rows_read, rows_written, cu_seconds,
                                          storage_byte_seconds, storage_bytes_max, egress_bytes, ingress_bytes, records,
                                          inexact_records, late_records)
                select database_id, tenant_id, billing_hour, sum(requests), sum(rows_read), sum(rows_written),
                       sum(cu_seconds), sum(storage_byte_seconds), max(storage_bytes), sum(egress_bytes),
                       sum(ingress_bytes), count(*),
                       count(*) filter (where not exact), count(*) filter (where late)
                from marked
                group by database_id, tenant_id, billing_hour
                -- One order for every writer, so two roll-ups touching the same hours cannot deadlock.
                order by database_id, billing_hour
                on conflict (database_id, hour) do update set
                    requests = usage_hourly.requests + excluded.requests,
                    rows_read = usage_hourly.rows_read + excluded.rows_read,
                    rows_written = usage_hourly.rows_written + excluded.rows_written,
                    cu_seconds = usage_hourly.cu_seconds + excluded.cu_seconds,
                    storage_byte_seconds = usage_hourly.storage_byte_seconds + excluded.storage_byte_seconds,
                    storage_bytes_max = greatest(usage_hourly.storage_bytes_max, excluded.storage_bytes_max),
                    egress_bytes = usage_hourly.egress_bytes + excluded.egress_bytes,
                    ingress_bytes = usage_hourly.ingress_bytes + excluded.ingress_bytes,
                    records = usage_hourly.records + excluded.records,
                    inexact_records = usage_hourly.inexact_records + excluded.inexact_records,
                    late_records = usage_hourly.late_records + excluded.late_records
            )
            select count(*) from marked
            """;
    /** Background roll-up skips records another roll-up holds: they are being rolled already. */
    private static final String ROLL_UP_PENDING = ROLL_UP.formatted("", "skip locked");
    /**
     * Closing waits for records another roll-up holds instead of skipping them: when it returns, every record of the
     * closed hours is committed into {@code usage_hourly}, not merely in flight.
     */
    private static final String ROLL_UP_HOURS = ROLL_UP.formatted("and billing_hour >= ? and billing_hour < ?", "");

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeteringSettings settings;

    UsageLedger(JdbcClient jdbc, TransactionTemplate tx, Clock clock, MeteringSettings settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Closes every hour in [from, to) and rolls all their records up; when it returns, {@code usage_hourly} for those
     * hours is final: usage arriving later for them is billed, marked late, in the first open hour. Idempotent.
     *
     * @param from first hour to close, a UTC hour start
     * @param to   end of the range (exclusive), a UTC hour start no later than the current hour's start
     * @throws IllegalArgumentException when a bound is not an hour start, {@code from} is after {@code to}, or
     *                                  {@code to} lies after the start of the current hour (an hour still running
     *                                  cannot be closed)
     */
    public void closeAndRollUp(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        requireHourStart("from", from);
        requireHourStart("to", to);
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from " + from + " is after to " + to);
        }
        Instant now = clock.instant();
        Instant currentHour = now.truncatedTo(ChronoUnit.HOURS);
        if (to.isAfter(currentHour)) {
            throw new IllegalArgumentException("to " + to + " is after the start of the current hour " + currentHour);
        }
        if (from.equals(to)) {
            return;
        }
        tx.executeWithoutResult(s -> {
            // Exclusive: waits for ingestions in flight to commit, and makes later ones see these hours closed.
            jdbc.sql("select 1 from pg_advisory_xact_lock(?)").param(UsageLocks.CLOSING).query(Integer.class).single();
            jdbc.sql("insert into closed_hours (hour, closed_at) "
                            + "select h, ? from generate_series(?::timestamptz, ?::timestamptz - interval '1 hour', interval '1 hour') h "
                            + "on conflict (hour) do nothing")
                    .params(utc(now), utc(from), utc(to))
                    .update();
        });
        int rolled;
        do {
            rolled = rollBatch(ROLL_UP_HOURS, utc(from), utc(to), settings.rollupBatchSize());
        } while (rolled > 0);
    }

    /**
     * Rolls up all pending records, in batches of {@code stratus.metering.rollup-batch-size} records, one
     * transaction each. Records that another roll-up is working on are left to it.
     *
     * @return how many records this call rolled up
     */
    public int rollUpPending() {
        int total = 0;
        int batch = settings.rollupBatchSize();
        int rolled;
        do {
            rolled = rollBatch(ROLL_UP_PENDING, batch);
            total += rolled;
        } while (rolled == batch);
        return total;
    }

    private int rollBatch(String sql, Object... params) {
        Integer rolled = tx.execute(s -> jdbc.sql(sql).params(params).query(Integer.class).single());
        return rolled == null ? 0 : rolled;
    }

    private static void requireHourStart(String name, Instant t) {
        if (!Granularity.HOUR.aligned(t)) {
            throw new IllegalArgumentException(name + " " + t + " is not the start of a UTC hour");
        }
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
