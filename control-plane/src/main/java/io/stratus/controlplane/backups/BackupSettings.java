package io.stratus.controlplane.backups;

import io.stratus.backupstore.BackupStoreSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Backup settings, {@code stratus.backups.*}.
 *
 * @param store             where backups and WAL go; without {@code store.type} backups are off (the endpoints answer
 *                          409 {@code backups-not-configured}, schedules do nothing)
 * @param defaultPolicy     the policy every new database gets; none when its schedule is empty (the default)
 * @param minInterval       the shortest time a policy's schedule may leave between two backups; default 5 minutes
 * @param backupTimeout     a backup task not done by then fails ({@code deadline-exceeded}); default 6 hours
 * @param verifyTimeout     the same for a verification; default 2 hours
 * @param retentionInterval how often expired backups and WAL no longer needed are deleted; default 10 minutes
 * @param verificationCron  when the newest backup of each database is verified (Quartz's cron, seconds first, UTC);
 *                          default 04:30 UTC daily
 * @param staleAfter        without a policy, a database whose last good backup is older than this is {@code STALE};
 *                          default 26 hours (with a policy: twice its period)
 * @param retentionDays     how long backups of a database without a policy are kept; default 7 days
 * @param storageSamplingCron when each database's bytes in the store are sampled for billing as backup storage
 *                          (Quartz's cron, seconds first, UTC); default every 5 minutes on the hour's fifths, so an hour's
 *                          last interval is accrued at its end, before the hourly billing export (at :05) closes it
 */
@ConfigurationProperties("stratus.backups")
public record BackupSettings(
        Store store,
        DefaultPolicy defaultPolicy,
        @DefaultValue("5m") Duration minInterval,
        @DefaultValue("6h") Duration backupTimeout,
        @DefaultValue("2h") Duration verifyTimeout,
        @DefaultValue("10m") Duration retentionInterval,
        @DefaultValue("0 30 4 * * ?") String verificationCron,
        @DefaultValue("26h") Duration staleAfter,
        @DefaultValue("7") int retentionDays,
        @DefaultValue("0 0/5 * * * ?") String storageSamplingCron) {

    public BackupSettings {
        if (minInterval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("stratus.backups.min-interval must be at least 1 minute (a cron's "
                    + "resolution): " + minInterval);
        }
        if (retentionDays < 1 || retentionDays > 3650) {
            throw new IllegalArgumentException("stratus.backups.retention-days must be 1 to 3650: " + retentionDays);
        }
        if (defaultPolicy != null && defaultPolicy.schedule() != null && !defaultPolicy.schedule().isBlank()) {
            // A default that every new database would be refused with stops the start instead.
            String problem = CronSchedule.problem(defaultPolicy.schedule(), minInterval);
            if (problem != null) {
                throw new IllegalArgumentException("stratus.backups.default-policy.schedule: " + problem);
            }
            if (defaultPolicy.retentionDays() == null || defaultPolicy.retentionDays() < 1
                    || defaultPolicy.retentionDays() > 3650) {
                throw new IllegalArgumentException("stratus.backups.default-policy.retention-days must be 1 to 3650 "
                        + "with a default schedule");
            }
        }
    }

    /** {@code stratus.backups.store.*}, as {@link BackupStoreSettings} takes them; nothing set: no store. */
    public record Store(String type, Path directory, String bucket, String prefix, URI endpoint, String region,
                        String accessKey, String secretKey, boolean pathStyle) {

        @Override
        public String toString() {
            return settings().map(BackupStoreSettings::toString).orElse("no backup store");
        }

        Optional<BackupStoreSettings> settings() {
            return type == null || type.isBlank() ? Optional.empty() : Optional.of(new BackupStoreSettings(type,
                    directory, bucket, prefix, endpoint, region, accessKey, secretKey, pathStyle));
        }
    }

    /** {@code stratus.backups.default-policy.*}: a 5-field cron in UTC and the days its backups are kept. */
    public record DefaultPolicy(String schedule, Integer retentionDays) {
    }

    /** The default policy, if one is set. */
    Optional<BackupPolicy> defaultPolicyIfSet() {
        return defaultPolicy == null || defaultPolicy.schedule() == null || defaultPolicy.schedule().isBlank()
                ? Optional.empty()
                : Optional.of(new BackupPolicy(defaultPolicy.schedule().strip(), defaultPolicy.retentionDays()));
    }

    Optional<BackupStoreSettings> storeSettings() {
        return store == null ? Optional.empty() : store.settings();
    }
}
