package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.Granularity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The {@code billing_exports} rows: one per period, claimed by a run, marked with how it ended. */
@Repository
class BillingExportRecords {

    private static final int MAX_ERROR_LENGTH = 2000;

    private final JdbcClient jdbc;
    private final JsonMapper json;

    BillingExportRecords(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** An export as the API shows it. */
    record ExportView(String period, Granularity granularity, Instant periodStart, Instant periodEnd,
                      String state, int runs, Long rowCount, String manifestSha256, List<ExportFiles.FileEntry> files,
                      String location, String instance, String error, Instant startedAt, Instant finishedAt) {
    }

    /**
     * Claims the period for a run: inserts it RUNNING, or takes over a FAILED row, a RUNNING row (whose run is dead:
     * the caller holds the period's lock) or, when {@code rerun}, a SUCCEEDED one; {@code runs} counts every claim.
     *
     * @return the run number, or empty when the period has already been exported and this is not a re-run
     */
    Optional<Integer> claim(BillingPeriod p, boolean rerun, String instance, Instant now) {
        return jdbc.sql("insert into billing_exports (period, granularity, period_start, period_end, state, runs, instance, "
                        + "started_at) values (?, ?, ?, ?, 'RUNNING', 1, ?, ?) "
                        + "on conflict (period) do update set state = 'RUNNING', runs = billing_exports.runs + 1, "
                        + "instance = excluded.instance, started_at = excluded.started_at, finished_at = null, error = null "
                        + "where billing_exports.state <> 'SUCCEEDED' or ? "
                        + "returning runs")
                .params(p.name(), p.granularity().name(), Timestamp.from(p.start()), Timestamp.from(p.end()), instance,
                        Timestamp.from(now), rerun)
                .query(Integer.class)
                .optional();
    }

    void succeeded(String period, ExportFiles.Written written, Instant now) {
        jdbc.sql("update billing_exports set state = 'SUCCEEDED', row_count = ?, manifest_sha256 = ?, files = cast(? as jsonb), "
                        + "location = ?, finished_at = ?, error = null where period = ?")
                .params(written.rows(), written.manifestSha256(), json.writeValueAsString(written.files()),
                        written.directory().toString(), Timestamp.from(now), period)
                .update();
    }

    void failed(String period, String error, Instant now) {
        String e = error == null ? "unknown error" : error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
        jdbc.sql("update billing_exports set state = 'FAILED', error = ?, finished_at = ? where period = ?")
                .params(e, Timestamp.from(now), period)
                .update();
    }

    /** The start of the earliest period of {@code granularity} ever claimed for an export, if any. */
    Optional<Instant> firstTried(Granularity granularity) {
        return jdbc.sql("select min(period_start) as first from billing_exports where granularity = ?")
                .params(granularity.name())
                .query((rs, row) -> Optional.ofNullable(instant(rs, "first")))
                .single();
    }

    /** The names of the periods of {@code granularity} starting in [from, to] that were exported. */
    Set<String> exported(Granularity granularity, Instant from, Instant to) {
        return Set.copyOf(jdbc.sql("select period from billing_exports where granularity = ? and state = 'SUCCEEDED' "
                        + "and period_start between ? and ?")
                .params(granularity.name(), Timestamp.from(from), Timestamp.from(to))
                .query(String.class)
                .list());
    }

    Optional<ExportView> find(String period) {
        return jdbc.sql("select * from billing_exports where period = ?").params(period).query(this::view).optional();
    }

    /** Exports whose period starts in [from, to), newest first, hours before the day that contains them. */
    List<ExportView> list(Instant from, Instant to, int limit) {
        return jdbc.sql("select * from billing_exports where period_start >= ? and period_start < ? "
                        + "order by period_start desc, granularity desc limit ?")
                .params(Timestamp.from(from), Timestamp.from(to), limit)
                .query(this::view)
                .list();
    }

    private ExportView view(ResultSet rs, int row) throws SQLException {
        String files = rs.getString("files");
        Long rowCount = rs.getObject("row_count", Long.class);
        return new ExportView(rs.getString("period"), Granularity.valueOf(rs.getString("granularity")),
                instant(rs, "period_start"), instant(rs, "period_end"), rs.getString("state"), rs.getInt("runs"),
                rowCount, rs.getString("manifest_sha256"),
                files == null ? List.of() : json.readValue(files, new TypeReference<List<ExportFiles.FileEntry>>() { }),
                rs.getString("location"), rs.getString("instance"), rs.getString("error"), instant(rs, "started_at"),
                instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
