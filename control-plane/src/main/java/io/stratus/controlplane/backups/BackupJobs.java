package io.stratus.controlplane.backups;

import java.time.Clock;
import java.util.TimeZone;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Retention ({@code stratus.backups.retention-interval}) and verification ({@code stratus.backups.verification-cron})
 * in Quartz's clustered job store: one control plane runs each firing.
 */
@Configuration(proxyBeanMethods = false)
class BackupJobs {

    static final JobKey RETENTION_JOB = JobKey.jobKey("backup-retention", "backups-maintenance");
    static final JobKey VERIFICATION_JOB = JobKey.jobKey("backup-verification", "backups-maintenance");
    static final JobKey STORAGE_SAMPLING_JOB = JobKey.jobKey("backup-storage-sampling", "backups-maintenance");

    @Bean
    JobDetail backupStorageSamplingJob() {
        return JobBuilder.newJob(StorageSamplingJob.class).withIdentity(STORAGE_SAMPLING_JOB)
                .withDescription("measures each database's bytes in the backup store for billing").storeDurably().build();
    }

    @Bean
    Trigger backupStorageSamplingTrigger(BackupSettings settings) {
        return TriggerBuilder.newTrigger().forJob(STORAGE_SAMPLING_JOB)
                .withIdentity(STORAGE_SAMPLING_JOB.getName(), STORAGE_SAMPLING_JOB.getGroup())
                .withSchedule(CronScheduleBuilder.cronSchedule(settings.storageSamplingCron())
                        .inTimeZone(TimeZone.getTimeZone("UTC"))
                        // Missed firings need no replay: the next sample bills the whole gap since the last one.
                        .withMisfireHandlingInstructionDoNothing())
                .build();
    }

    @Bean
    JobDetail backupRetentionJob() {
        return JobBuilder.newJob(RetentionJob.class).withIdentity(RETENTION_JOB)
                .withDescription("expires old backups and deletes the WAL no kept backup needs").storeDurably().build();
    }

    @Bean
    Trigger backupRetentionTrigger(BackupSettings settings) {
        return TriggerBuilder.newTrigger().forJob(RETENTION_JOB).withIdentity(RETENTION_JOB.getName(), RETENTION_JOB.getGroup())
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(settings.retentionInterval().toMillis()).repeatForever()
                        // One run after downtime does all that the missed ones would have.
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
    }

    @Bean
    JobDetail backupVerificationJob() {
        return JobBuilder.newJob(VerificationJob.class).withIdentity(VERIFICATION_JOB)
                .withDescription("verifies the newest backup of each database").storeDurably().build();
    }

    @Bean
    Trigger backupVerificationTrigger(BackupSettings settings) {
        return TriggerBuilder.newTrigger().forJob(VERIFICATION_JOB)
                .withIdentity(VERIFICATION_JOB.getName(), VERIFICATION_JOB.getGroup())
                .withSchedule(CronScheduleBuilder.cronSchedule(settings.verificationCron())
                        .inTimeZone(TimeZone.getTimeZone("UTC")).withMisfireHandlingInstructionFireAndProceed())
                .build();
    }

    @DisallowConcurrentExecution
    static class RetentionJob implements Job {

        private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
        private final BackupRetention retention;

        RetentionJob(BackupRetention retention) {
            this.retention = retention;
        }

        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            try {
                var outcome = retention.run();
                if (outcome.expired() > 0 || outcome.walDeleted() > 0) {
                    log.info("backup retention: {} backup(s) expired, {} WAL file(s) deleted", outcome.expired(),
                            outcome.walDeleted());
                }
            } catch (RuntimeException e) {
                throw new JobExecutionException(e, false);
            }
        }
    }

    @DisallowConcurrentExecution
    static class StorageSamplingJob implements Job {

        private static final Logger log = LoggerFactory.getLogger(StorageSamplingJob.class);
        private final BackupStorageSampler sampler;
        private final Clock clock;

        StorageSamplingJob(BackupStorageSampler sampler, Clock clock) {
            this.sampler = sampler;
            this.clock = clock;
        }

        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            try {
                var outcome = sampler.sample(clock.instant());
                log.debug("backup storage sampled: {} database(s), {} failed, {} byte-seconds added", outcome.sampled(),
                        outcome.failed(), outcome.byteSecondsAdded());
            } catch (RuntimeException e) {
                throw new JobExecutionException(e, false);
            }
        }
    }

    @DisallowConcurrentExecution
    static class VerificationJob implements Job {

        private final BackupVerification verification;

        VerificationJob(BackupVerification verification) {
            this.verification = verification;
        }

        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            try {
                verification.run();
            } catch (RuntimeException e) {
                throw new JobExecutionException(e, false);
            }
        }
    }
}
