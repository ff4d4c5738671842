package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.Granularity;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/**
 * Quartz job: exports the previous hour or the previous UTC day (job data {@value #GRANULARITY}), computed from the
 * injected clock when the job runs, and any earlier period of the same kind that is due and not exported
 * ({@link BillingExporter#exportDue}). In the clustered job store one control plane runs each firing; the exporter's
 * claim makes a second run of the same period (a misfire, a manual re-run racing) a no-op.
 */
@DisallowConcurrentExecution
class BillingExportJob implements Job {

    static final String GRANULARITY = "granularity";

    private final BillingExporter exporter;

    BillingExportJob(BillingExporter exporter) {
        this.exporter = exporter;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            exporter.exportDue(Granularity.valueOf(context.getMergedJobDataMap().getString(GRANULARITY)));
        } catch (RuntimeException e) {
            // Not refired at once: the row says FAILED and the next firing (or a re-run through the API) retries it.
            throw new JobExecutionException(e, false);
        }
    }
}
