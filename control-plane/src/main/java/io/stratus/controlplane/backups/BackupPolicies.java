package io.stratus.controlplane.backups;

import io.stratus.controlplane.databases.DatabaseCreated;
import io.stratus.controlplane.databases.DatabaseDeleted;
import io.stratus.controlplane.web.ApiException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Databases' backup policies and their triggers: a policy is stored and scheduled in one transaction; a new database
 * gets the default policy, if one is set; a deleted database's trigger goes with it (its policy stays, for the
 * retention of the backups it leaves).
 */
@Service
class BackupPolicies {

    private static final Logger log = LoggerFactory.getLogger(BackupPolicies.class);
    static final int MAX_RETENTION_DAYS = 3650;

    private final JdbcClient jdbc;
    private final BackupTriggers triggers;
    private final BackupSettings settings;
    private final Clock clock;
    /** A schedule's period takes thousands of cron steps to find: found once per schedule text. */
    private final java.util.Map<String, Duration> periods = new java.util.concurrent.ConcurrentHashMap<>();

    BackupPolicies(JdbcClient jdbc, BackupTriggers triggers, BackupSettings settings, Clock clock) {
        this.jdbc = jdbc;
        this.triggers = triggers;
        this.settings = settings;
        this.clock = clock;
    }

    /** Checks a policy; every bad field reported at once. */
    CronSchedule validate(BackupPolicy policy) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        CronSchedule schedule = null;
        try {
            schedule = CronSchedule.parse(policy.schedule(), settings.minInterval());
        } catch (IllegalArgumentException e) {
            errors.add(new ApiException.FieldError("schedule", e.getMessage()));
        }
        if (policy.retentionDays() == null) {
            errors.add(new ApiException.FieldError("retentionDays", "is required: 1 to " + MAX_RETENTION_DAYS));
        } else if (policy.retentionDays() < 1 || policy.retentionDays() > MAX_RETENTION_DAYS) {
            errors.add(new ApiException.FieldError("retentionDays", "must be 1 to " + MAX_RETENTION_DAYS));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return schedule;
    }

    @Transactional
    public BackupPolicy put(UUID tenantId, UUID databaseId, BackupPolicy policy) {
        CronSchedule schedule = validate(policy);
        BackupPolicy stored = new BackupPolicy(schedule.unix(), policy.retentionDays());
        jdbc.sql("insert into backup_policies (database_id, tenant_id, schedule, retention_days, updated_at) "
                        + "values (?, ?, ?, ?, ?) on conflict (database_id) do update set schedule = excluded.schedule, "
                        + "retention_days = excluded.retention_days, updated_at = excluded.updated_at")
                .params(databaseId, tenantId, stored.schedule(), stored.retentionDays(), Timestamp.from(clock.instant()))
                .update();
        triggers.schedule(databaseId, schedule);
        log.info("backup policy of database {}: {} UTC, kept {} days", databaseId, stored.schedule(),
                stored.retentionDays());
        return stored;
    }

    @Transactional
    public void clear(UUID databaseId) {
        jdbc.sql("delete from backup_policies where database_id = ?").param(databaseId).update();
        triggers.unschedule(databaseId);
    }

    @Transactional(readOnly = true)
    public Optional<BackupPolicy> find(UUID databaseId) {
        return jdbc.sql("select schedule, retention_days from backup_policies where database_id = ?").param(databaseId)
                .query((rs, n) -> new BackupPolicy(rs.getString(1), rs.getInt(2))).optional();
    }

    /** How long the database's backups are kept: its policy's days, or the setting for databases without one. */
    Duration retention(UUID databaseId) {
        return Duration.ofDays(find(databaseId).map(BackupPolicy::retentionDays).orElse(settings.retentionDays()));
    }

    /** How old the last good backup may be before the database is STALE: twice its policy's period, or the setting. */
    Duration staleAfter(Optional<BackupPolicy> policy) {
        return policy.map(p -> periods.computeIfAbsent(p.schedule(),
                        s -> CronSchedule.parse(s, Duration.ofMinutes(1)).period()).multipliedBy(2))
                .orElse(settings.staleAfter());
    }

    @EventListener
    void onDatabaseCreated(DatabaseCreated event) {
        settings.defaultPolicyIfSet().ifPresent(p -> put(event.tenantId(), event.databaseId(), p));
    }

    @EventListener
    void onDatabaseDeleted(DatabaseDeleted event) {
        triggers.unschedule(event.databaseId());
    }
}
