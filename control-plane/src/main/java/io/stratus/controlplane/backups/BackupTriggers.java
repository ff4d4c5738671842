package io.stratus.controlplane.backups;

import java.util.TimeZone;
import java.util.UUID;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.springframework.stereotype.Component;

/**
 * One Quartz job and cron trigger per database with a policy, in the clustered JDBC job store: whichever control plane
 * acquires a firing runs it, once. Changed in the caller's transaction (Spring's job store joins it), so a policy and
 * its trigger are written or rolled back together.
 */
@Component
class BackupTriggers {

    static final String GROUP = "backups";
    static final String DATABASE_ID = "databaseId";
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    private final Scheduler scheduler;

    BackupTriggers(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    static JobKey jobKey(UUID databaseId) {
        return JobKey.jobKey("backup-" + databaseId, GROUP);
    }

    static TriggerKey triggerKey(UUID databaseId) {
        return TriggerKey.triggerKey("backup-" + databaseId, GROUP);
    }

    /** Creates or replaces the database's trigger. */
    void schedule(UUID databaseId, CronSchedule schedule) {
        JobDetail job = JobBuilder.newJob(ScheduledBackupJob.class)
                .withIdentity(jobKey(databaseId))
                .withDescription("backs up database " + databaseId + " (" + schedule.unix() + " UTC)")
                .usingJobData(DATABASE_ID, databaseId.toString())
                .storeDurably()
                .build();
        Trigger trigger = TriggerBuilder.newTrigger()
                .forJob(job)
                .withIdentity(triggerKey(databaseId))
                // After downtime (every control plane down at fire time) fire once, not once per missed firing:
                // one backup now stands for all of them.
                .withSchedule(CronScheduleBuilder.cronSchedule(schedule.quartz()).inTimeZone(UTC)
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        try {
            scheduler.addJob(job, true);
            if (scheduler.checkExists(trigger.getKey())) {
                scheduler.rescheduleJob(trigger.getKey(), trigger);
            } else {
                scheduler.scheduleJob(trigger);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule backups of database " + databaseId + ": " + e.getMessage(), e);
        }
    }

    /** Removes the database's trigger and job, if it has them. */
    void unschedule(UUID databaseId) {
        try {
            scheduler.deleteJob(jobKey(databaseId));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot unschedule backups of database " + databaseId + ": " + e.getMessage(), e);
        }
    }
}
