package io.stratus.controlplane.billing;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.billing.BillingExportRecords.ExportView;
import io.stratus.controlplane.metering.Granularity;
import io.stratus.controlplane.metering.UsageLedger;
import io.stratus.controlplane.metering.UsageQueries;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Exports one period: claims it, closes its hours, writes its files, records the result. The entry point of the
 * billing feature for exports, used by the scheduled jobs and by the re-run API.
 *
 * <p>Exactly once across control planes: a run holds a PostgreSQL advisory lock on the period for its whole duration
 * (on a connection of its own), so two runs of one period never overlap; with the lock held, a {@code RUNNING} row can
 * only be left by a run that died (its connection, and with it the lock, is gone) and is taken over. A period already
 * {@code SUCCEEDED} is skipped unless re-run explicitly. A re-run rewrites the same bytes: closed hours never change.
 */
@Service
public class BillingExporter {

    private static final Logger log = LoggerFactory.getLogger(BillingExporter.class);
    /** First key of the two-key advisory locks on export periods; the second is the hash of the period name. */
    private static final int LOCK_CLASS = 0x42696c6c; // "Bill"
    /** A firing stops after this many failed periods in a row. */
    private static final int MAX_FAILURES_IN_A_ROW = 3;

    private final UsageLedger ledger;
    private final UsageQueries usage;
    private final BillingExportRecords records;
    private final DataSource dataSource;
    private final ObjectProvider<Scheduler> scheduler;
    private final Path directory;
    private final Duration catchUp;
    private final Duration settle;
    private final Clock clock;

    BillingExporter(UsageLedger ledger, UsageQueries usage, BillingExportRecords records, DataSource dataSource,
                    ObjectProvider<Scheduler> scheduler, BillingExportSettings settings, StratusSettings stratus, Clock clock) {
        this.ledger = ledger;
        this.usage = usage;
        this.records = records;
        this.dataSource = dataSource;
        this.scheduler = scheduler;
        this.directory = settings.directoryOrDefault(stratus);
        this.catchUp = settings.catchUp();
        this.settle = settings.settle();
        this.clock = clock;
    }

    /** How a request to export a period ended. */
    sealed interface Outcome {
        /** This call wrote the files. */
        record Exported(ExportView export) implements Outcome {
        }

        /** The period was exported before and this was not a re-run: nothing done. */
        record AlreadyExported(ExportView export) implements Outcome {
        }

        /** Another run of the period is in progress (here or on another control plane): nothing done. */
        record Busy(String period) implements Outcome {
        }
    }

    /** The export failed; the period's row says FAILED with the reason, and the next run retries it. */
    static final class ExportFailedException extends RuntimeException {
        ExportFailedException(String period, Throwable cause) {
            super("export of " + period + " failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * What a scheduled firing does: exports every period of {@code granularity} that is due and not exported yet,
     * oldest first: the previous one, and those within the catch-up reach that were missed (every control plane down
     * when they were due) or failed, but none before the first period ever tried (a new installation does not
     * export a week of empty periods). A failed period does not stop the later ones (three failures in a row do); the
     * first failure is thrown at the end, and the next firing tries the failed periods again.
     *
     * @return the outcome of each period tried, oldest first
     */
    public List<Outcome> exportDue(Granularity granularity) {
        // As on request, only periods that ended at least `settle` ago: a cron set to fire right at the hour would
        // otherwise close an hour whose last minutes' usage is still on its way. The next firing catches it up.
        return exportDue(granularity, clock.instant().minus(settle), catchUp);
    }

    List<Outcome> exportDue(Granularity granularity, Instant now, Duration reach) {
        List<Outcome> outcomes = new ArrayList<>();
        RuntimeException failure = null;
        int failuresInARow = 0;
        for (BillingPeriod period : due(granularity, now, reach)) {
            try {
                outcomes.add(export(period, false));
                failuresInARow = 0;
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
                // A fault that fails every period (an unwritable directory, the database gone) is reported by a few,
                // not by a week of hours each firing; one bad period does not hold back the ones after it.
                if (++failuresInARow == MAX_FAILURES_IN_A_ROW) {
                    log.warn("{} exports failed in a row; the rest of the {} periods due wait for the next firing",
                            failuresInARow, granularity.name().toLowerCase(Locale.ROOT));
                    break;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return outcomes;
    }

    /** The periods {@link #exportDue} exports at {@code now}, looking back {@code catchUp}, oldest first. */
    List<BillingPeriod> due(Granularity granularity, Instant now, Duration catchUp) {
        BillingPeriod previous = BillingPeriod.previous(granularity, now);
        Optional<Instant> first = records.firstTried(granularity);
        if (first.isEmpty() || first.get().isAfter(previous.start())) {
            return List.of(previous);
        }
        Instant reach = previous.end().minus(catchUp);
        if (reach.isBefore(first.get())) {
            reach = first.get();
        }
        BillingPeriod from = reach.isAfter(previous.start()) ? previous : BillingPeriod.containing(granularity, reach);
        Set<String> exported = records.exported(granularity, from.start(), previous.start());
        List<BillingPeriod> due = new ArrayList<>();
        for (BillingPeriod p = from; !p.start().isAfter(previous.start()); p = p.next()) {
            if (!exported.contains(p.name())) {
                due.add(p);
            }
        }
        return due;
    }

    /**
     * Exports {@code period}, which must have ended.
     *
     * @param rerun also when it was exported before (rewrites the same files)
     */
    public Outcome export(BillingPeriod period, boolean rerun) {
        if (!period.endedAt(clock.instant())) {
            throw new IllegalArgumentException("period " + period.name() + " has not ended");
        }
        MDC.put("billingPeriod", period.name());
        try (Connection lockConnection = dataSource.getConnection()) {
            if (!lock(lockConnection, period, "pg_try_advisory_lock")) {
                log.info("export of {} is running elsewhere; skipped", period.name());
                return new Outcome.Busy(period.name());
            }
            try {
                return exportLocked(period, rerun);
            } finally {
                lock(lockConnection, period, "pg_advisory_unlock");
            }
        } catch (SQLException e) {
            throw new ExportFailedException(period.name(), e);
        } finally {
            MDC.remove("billingPeriod");
        }
    }

    private Outcome exportLocked(BillingPeriod period, boolean rerun) {
        Optional<ExportView> before = records.find(period.name());
        Optional<Integer> run = records.claim(period, rerun, instance(), clock.instant());
        if (run.isEmpty()) {
            return new Outcome.AlreadyExported(before.orElseThrow());
        }
        if (before.isPresent() && before.get().state().equals("RUNNING")) {
            log.warn("export of {} found RUNNING by {} whose run is gone; taking over", period.name(), before.get().instance());
        }
        try {
            // After this, usage_hourly for the period is final: later usage is billed, late, in an open hour.
            ledger.closeAndRollUp(period.start(), period.end());
            ExportRows.Summary rows = ExportRows.build(period.name(), usage.hourly(period.start(), period.end()));
            ExportFiles.Written written = ExportFiles.write(directory, period, rows);
            records.succeeded(period.name(), written, clock.instant());
            log.info("exported {} (run {}): {} rows, {} late records, manifest {}", period.name(), run.get(),
                    written.rows(), rows.lateRecords(), written.manifestSha256());
            return new Outcome.Exported(records.find(period.name()).orElseThrow());
        } catch (Exception e) {
            log.error("export of {} failed", period.name(), e);
            records.failed(period.name(), e.toString(), clock.instant());
            throw new ExportFailedException(period.name(), e);
        }
    }

    private static boolean lock(Connection c, BillingPeriod period, String function) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select " + function + "(?, hashtext(?))")) {
            st.setInt(1, LOCK_CLASS);
            st.setString(2, period.name());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The Quartz instance id (unique per control plane in the cluster), else the host name. */
    private String instance() {
        Scheduler s = scheduler.getIfAvailable();
        if (s != null) {
            try {
                return s.getSchedulerInstanceId();
            } catch (SchedulerException e) {
                log.debug("no scheduler instance id", e);
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
