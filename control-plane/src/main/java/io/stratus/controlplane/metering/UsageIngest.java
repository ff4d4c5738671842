package io.stratus.controlplane.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.web.ApiException;
import io.stratus.protocol.UsageAck;
import io.stratus.protocol.UsageRecord;
import io.stratus.protocol.UsageReport;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores agents' usage reports ({@code POST /agent/v1/nodes/{id}/usage}).
 *
 * <p>A report is validated as a whole (a bad record refuses the report and stores nothing), then stored in one
 * transaction with one multi-row {@code INSERT ... ON CONFLICT (node_id, seq) DO NOTHING}: a redelivered record is a
 * no-op, so retries after a lost acknowledgement count once. Each record is billed in its own hour unless that hour
 * is already closed; then in the first open hour, marked late.
 *
 * <p>Records for a compute that is not a database placed on the reporting node (unknown, or placed elsewhere) are
 * dropped with a warning and counted in {@code stratus.usage.rejected}, and the report is still acknowledged: such a
 * record can never become valid, and refusing the report would block the agent's spool forever. A database deleted
 * since still takes its late records (its row and node stay).
 */
@Service
public class UsageIngest {

    private static final Logger log = LoggerFactory.getLogger(UsageIngest.class);
    private static final int MAX_REQUEST_SOURCE_LENGTH = 64;
    private static final int MAX_ERRORS_REPORTED = 20;

    private static final String INSERT = """
            insert into usage_records (node_id, seq, database_id, tenant_id, window_start, window_end, usage_hour,
                                       billing_hour, late, requests, rows_read, rows_written, cu_seconds, storage_bytes,
                                       storage_byte_seconds, egress_bytes, exact, request_source, ingress_bytes,
                                       received_at)
            select ?, r.seq, r.database_id, r.tenant_id, r.window_start, r.window_end, r.usage_hour,
                   case when c.hour is null then r.usage_hour else o.first_open end, c.hour is not null,
                   r.requests, r.rows_read, r.rows_written, r.cu_seconds, r.storage_bytes, r.storage_byte_seconds,
                   r.egress_bytes, r.exact, r.request_source, r.ingress_bytes, ?
            from unnest(?::bigint[], ?::uuid[], ?::uuid[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[],
                        ?::bigint[], ?::bigint[], ?::bigint[], ?::numeric[], ?::bigint[], ?::bigint[], ?::bigint[],
                        ?::boolean[], ?::text[], ?::bigint[])
                 as r(seq, database_id, tenant_id, window_start, window_end, usage_hour, requests, rows_read,
                      rows_written, cu_seconds, storage_bytes, storage_byte_seconds, egress_bytes, exact, request_source,
                      ingress_bytes)
            left join closed_hours c on c.hour = r.usage_hour
            -- The first open hour at arrival: this hour, or the hour after the last closed one if that is later.
            cross join (select greatest(?::timestamptz, max(hour) + interval '1 hour') as first_open from closed_hours) o
            on conflict (node_id, seq) do nothing
            """;

    private final JdbcTemplate jdbc;
    private final DatabaseDirectory ownership;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final MeteringSettings settings;
    private final Counter rejected;

    UsageIngest(JdbcTemplate jdbc, DatabaseDirectory ownership, TransactionTemplate tx, Clock clock,
                MeteringSettings settings, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.ownership = ownership;
        this.tx = tx;
        this.clock = clock;
        this.settings = settings;
        this.rejected = Counter.builder("stratus.usage.rejected")
                .description("usage records dropped because their compute is not a database placed on the reporting node")
                .register(meters);
    }

    /**
     * Validates and stores a report from node {@code nodeId} (already authenticated for that path).
     *
     * @return the acknowledgement: every record up to the report's largest sequence number is stored (or was before,
     *         or was dropped for good); an empty report is acknowledged with {@code throughSeq = -1}
     * @throws ApiException 400 when the report is malformed; nothing is stored then
     */
    public UsageAck ingest(UUID nodeId, UsageReport report) {
        validate(nodeId, report);
        List<UsageRecord> records = report.records();
        if (records.isEmpty()) {
            return new UsageAck(-1);
        }
        long through = Long.MIN_VALUE;
        for (UsageRecord r : records) {
            through = Math.max(through, r.seq());
        }
        Integer dropped = tx.execute(s -> store(nodeId, records));
        if (dropped != null && dropped > 0) {
            rejected.increment(dropped);
            log.warn("dropped {} usage record(s) from node {}: their compute is not a database placed on this node",
                    dropped, nodeId);
        }
        return new UsageAck(through);
    }

    /** Stores the records of known databases on this node; returns how many were dropped. */
    private int store(UUID nodeId, List<UsageRecord> records) {
        // Shared: many nodes ingest at once; only closing an hour (exclusive) waits for them, and they for it.
        jdbc.queryForObject("select 1 from pg_advisory_xact_lock_shared(?)", Integer.class, UsageLocks.CLOSING);
        jdbc.queryForObject("select 1 from pg_advisory_xact_lock(?, ?)", Integer.class, UsageLocks.NODE_DELIVERY,
                nodeId.hashCode());
        Set<UUID> computes = new LinkedHashSet<>();
        records.forEach(r -> computes.add(r.computeId()));
        Map<UUID, UUID> tenants = ownership.tenantsOfDatabasesOn(nodeId, computes);
        List<UsageRecord> kept = records.stream().filter(r -> tenants.containsKey(r.computeId())).toList();
        if (!kept.isEmpty()) {
            insert(nodeId, kept, tenants);
        }
        return records.size() - kept.size();
    }

    /** The records as one array per column, unnested by {@link #INSERT} in one statement. */
    private void insert(UUID nodeId, List<UsageRecord> records, Map<UUID, UUID> tenants) {
        int n = records.size();
        Long[] seq = new Long[n];
        String[] database = new String[n];
        String[] tenant = new String[n];
        String[] windowStart = new String[n];
        String[] windowEnd = new String[n];
        String[] usageHour = new String[n];
        Long[] requests = new Long[n];
        Long[] rowsRead = new Long[n];
        Long[] rowsWritten = new Long[n];
        String[] cuSeconds = new String[n];
        Long[] storageBytes = new Long[n];
        Long[] storageByteSeconds = new Long[n];
        Long[] egressBytes = new Long[n];
        Boolean[] exact = new Boolean[n];
        String[] requestSource = new String[n];
        Long[] ingressBytes = new Long[n];
        for (int i = 0; i < n; i++) {
            UsageRecord r = records.get(i);
            seq[i] = r.seq();
            database[i] = r.computeId().toString();
            tenant[i] = tenants.get(r.computeId()).toString();
            windowStart[i] = r.from().toString();
            windowEnd[i] = r.to().toString();
            usageHour[i] = r.from().truncatedTo(ChronoUnit.HOURS).toString();
            requests[i] = r.requests();
            rowsRead[i] = r.rowsRead();
            rowsWritten[i] = r.rowsWritten();
            cuSeconds[i] = r.cuSeconds().toPlainString();
            storageBytes[i] = r.storageBytes();
            storageByteSeconds[i] = r.storageByteSeconds();
            egressBytes[i] = r.egressBytes();
            exact[i] = r.exact();
            requestSource[i] = r.requestSource();
            ingressBytes[i] = r.ingressBytes() == null ? 0 : r.ingressBytes();
        }
        Instant now = clock.instant();
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(INSERT);
            int p = 1;
            ps.setObject(p++, nodeId);
            ps.setObject(p++, UsageLedger.utc(now));
            ps.setArray(p++, con.createArrayOf("int8", seq));
            ps.setArray(p++, con.createArrayOf("text", database));
            ps.setArray(p++, con.createArrayOf("text", tenant));
            ps.setArray(p++, con.createArrayOf("text", windowStart));
            ps.setArray(p++, con.createArrayOf("text", windowEnd));
            ps.setArray(p++, con.createArrayOf("text", usageHour));
            ps.setArray(p++, con.createArrayOf("int8", requests));
            ps.setArray(p++, con.createArrayOf("int8", rowsRead));
            ps.setArray(p++, con.createArrayOf("int8", rowsWritten));
            ps.setArray(p++, con.createArrayOf("text", cuSeconds));
            ps.setArray(p++, con.createArrayOf("int8", storageBytes));
            ps.setArray(p++, con.createArrayOf("int8", storageByteSeconds));
            ps.setArray(p++, con.createArrayOf("int8", egressBytes));
            ps.setArray(p++, con.createArrayOf("bool", exact));
            ps.setArray(p++, con.createArrayOf("text", requestSource));
            ps.setArray(p++, con.createArrayOf("int8", ingressBytes));
            ps.setObject(p, UsageLedger.utc(now.truncatedTo(ChronoUnit.HOURS)));
            return ps;
        });
    }

    private void validate(UUID nodeId, UsageReport report) {
        if (report == null) {
            throw ApiException.invalid("body", "a usage report is required");
        }
        List<ApiException.FieldError> errors = new ArrayList<>();
        if (report.nodeId() == null) {
            errors.add(new ApiException.FieldError("nodeId", "is required"));
        } else if (!report.nodeId().equals(nodeId)) {
            errors.add(new ApiException.FieldError("nodeId", "must be the node of the path"));
        }
        if (report.records() == null) {
            errors.add(new ApiException.FieldError("records", "is required"));
        } else if (report.records().size() > settings.maxRecordsPerReport()) {
            errors.add(new ApiException.FieldError("records", "at most " + settings.maxRecordsPerReport() + " records per report"));
        } else {
            for (int i = 0; i < report.records().size() && errors.size() < MAX_ERRORS_REPORTED; i++) {
                validate("records[" + i + "].", report.records().get(i), errors);
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors.subList(0, Math.min(errors.size(), MAX_ERRORS_REPORTED)));
        }
    }

    private static void validate(String at, UsageRecord r, List<ApiException.FieldError> errors) {
        if (r == null) {
            errors.add(new ApiException.FieldError(at.substring(0, at.length() - 1), "must not be null"));
            return;
        }
        required(at + "computeId", r.computeId(), errors);
        required(at + "from", r.from(), errors);
        required(at + "to", r.to(), errors);
        required(at + "cuSeconds", r.cuSeconds(), errors);
        required(at + "requestSource", r.requestSource(), errors);
        notNegative(at + "seq", r.seq(), errors);
        notNegative(at + "requests", r.requests(), errors);
        notNegative(at + "rowsRead", r.rowsRead(), errors);
        notNegative(at + "rowsWritten", r.rowsWritten(), errors);
        notNegative(at + "storageBytes", r.storageBytes(), errors);
        notNegative(at + "storageByteSeconds", r.storageByteSeconds(), errors);
        notNegative(at + "egressBytes", r.egressBytes(), errors);
        if (r.ingressBytes() != null) {
            notNegative(at + "ingressBytes", r.ingressBytes(), errors);
        }
        if (r.cuSeconds() != null && r.cuSeconds().signum() < 0) {
            errors.add(new ApiException.FieldError(at + "cuSeconds", "must not be negative"));
        }
        if (r.cuSeconds() != null && r.cuSeconds().compareTo(BigDecimal.TEN.pow(17)) >= 0) {
            errors.add(new ApiException.FieldError(at + "cuSeconds", "is too large"));
        }
        if (r.requestSource() != null && (r.requestSource().isBlank() || r.requestSource().length() > MAX_REQUEST_SOURCE_LENGTH)) {
            errors.add(new ApiException.FieldError(at + "requestSource", "must be 1 to " + MAX_REQUEST_SOURCE_LENGTH + " characters"));
        }
        if (r.from() != null && r.to() != null) {
            if (r.to().isBefore(r.from())) {
                errors.add(new ApiException.FieldError(at + "to", "must not be before from"));
            } else if (r.to().isAfter(r.from().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)))) {
                // A window ending exactly on the next hour is still inside its hour (the end is exclusive).
                errors.add(new ApiException.FieldError(at + "to", "the window must not cross an hour boundary"));
            }
        }
    }

    private static void required(String field, Object value, List<ApiException.FieldError> errors) {
        if (value == null) {
            errors.add(new ApiException.FieldError(field, "is required"));
        }
    }

    private static void notNegative(String field, long value, List<ApiException.FieldError> errors) {
        if (value < 0) {
            errors.add(new ApiException.FieldError(field, "must not be negative"));
        }
    }
}
