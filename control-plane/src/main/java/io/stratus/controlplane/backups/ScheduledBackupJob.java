package io.stratus.controlplane.backups;

import java.util.UUID;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/**
 * Quartz job: one firing of a database's policy starts one backup ({@link Backups#startScheduled}), keyed by the
 * firing's scheduled time, so that the same firing run twice takes one backup.
 */
@DisallowConcurrentExecution
class ScheduledBackupJob implements Job {

    private final Backups backups;

    ScheduledBackupJob(Backups backups) {
        this.backups = backups;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        UUID databaseId = UUID.fromString(context.getMergedJobDataMap().getString(BackupTriggers.DATABASE_ID));
        try {
            backups.startScheduled(databaseId, context.getScheduledFireTime().toInstant());
        } catch (RuntimeException e) {
            // Not refired: the next firing tries again; the database's backupStatus turns STALE meanwhile.
            throw new JobExecutionException(e, false);
        }
    }
}
