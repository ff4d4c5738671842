package io.stratus.controlplane.billing;

import java.time.Clock;
import java.time.Instant;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/**
 * Quartz job: exports the previous hour or the previous UTC day (job data {@value #GRANULARITY}), the period computed
 * from the injected clock when the job runs. In the clustered job store one control plane runs each firing; the
 * exporter's claim makes a second run of the same period (a misfire, a manual re-run racing) a no-op.
 */
@DisallowConcurrentExecution
class BillingExportJob implements Job {

    static final String GRANULARITY = "granularity";

    private final BillingExporter exporter;
    private final Clock clock;

    BillingExportJob(BillingExporter exporter, Clock clock) {
        this.exporter = exporter;
        this.clock = clock;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        Instant now = clock.instant();
        BillingPeriod period = switch (BillingPeriod.Granularity.valueOf(context.getMergedJobDataMap().getString(GRANULARITY))) {
            case HOUR -> BillingPeriod.previousHour(now);
            case DAY -> BillingPeriod.previousDay(now);
        };
        try {
            exporter.export(period, false);
        } catch (RuntimeException e) {
            // Not refired at once: the row says FAILED and the next firing (or a re-run through the API) retries it.
            throw new JobExecutionException(e, false);
        }
    }
}
