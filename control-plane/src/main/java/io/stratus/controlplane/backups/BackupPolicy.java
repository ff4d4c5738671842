package io.stratus.controlplane.backups;

/**
 * A database's backup policy.
 *
 * @param schedule      a 5-field Unix cron in UTC ({@code 0 3 * * *}: 03:00 UTC daily)
 * @param retentionDays how long its backups are kept (the newest good one always is)
 */
public record BackupPolicy(String schedule, Integer retentionDays) {
}
