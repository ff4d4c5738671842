package io.stratus.controlplane.metering;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz job: rolls pending usage records up into hourly sums ({@link UsageLedger#rollUpPending}). Runs every
 * {@code stratus.metering.rollup-interval} on one control plane of the cluster at a time; a run that fails leaves its
 * batch uncommitted for the next run.
 */
@DisallowConcurrentExecution
class UsageRollupJob implements Job {

    private static final Logger log = LoggerFactory.getLogger(UsageRollupJob.class);

    private final UsageLedger ledger;

    UsageRollupJob(UsageLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            int rolled = ledger.rollUpPending();
            if (rolled > 0) {
                log.debug("rolled up {} usage records", rolled);
            }
        } catch (RuntimeException e) {
            // Not refired at once: the next trigger retries, and a database outage must not spin a thread.
            throw new JobExecutionException("usage roll-up failed", e, false);
        }
    }
}
