package io.stratus.controlplane.backups;

import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations.OperationView;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Managed backups: starts them (from the API or a policy's firing) as {@code backup} tasks on the database's node, and
 * reads them back. The entry point of the backups feature; results arrive through {@link BackupTaskResults}.
 */
@Service
public class Backups {

    private static final Logger log = LoggerFactory.getLogger(Backups.class);
    static final String BACKUP_TASK = "backup";
    static final String VERIFY_TASK = "verify-backup";
    private static final int MAX_LISTED = 100;

    private final ComputeTasks tasks;
    private final DatabaseDirectory databases;
    private final BackupRecords records;
    private final ConfiguredStore store;
    private final BackupSettings settings;
    private final Clock clock;

    Backups(ComputeTasks tasks, DatabaseDirectory databases, BackupRecords records, ConfiguredStore store,
            BackupSettings settings, Clock clock) {
        this.tasks = tasks;
        this.databases = databases;
        this.records = records;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
    }

    /** A backup just started and the operation to poll. */
    public record Started(OperationView operation, Backup backup) {
    }

    /**
     * Starts a backup now.
     *
     * @throws ApiException 409 {@code backups-not-configured}, {@code backup-running} (one at a time per database),
     *                      {@code no-compute} (the database is being created, failed, or is being deleted)
     */
    @Transactional
    public Started startManual(UUID databaseId) {
        store.require();
        DatabaseDirectory.Placement placement = databases.lockPlacement(databaseId)
                .orElseThrow(() -> ApiException.notFound("database"));
        if (records.runningFor(databaseId)) {
            throw ApiException.conflict("backup-running", "a backup of this database is running; one runs at a time",
                    null);
        }
        return start(placement, "MANUAL", null);
    }

    /**
     * A policy's firing: starts the backup that firing stands for, unless one already has (the firing run again after
     * a control plane died in it) or one is still running. A skip is logged with its reason.
     *
     * @return the backup started, if one was
     */
    @Transactional
    public Optional<Backup> startScheduled(UUID databaseId, Instant scheduledFor) {
        if (!store.configured()) {
            log.debug("scheduled backup of database {} not taken: no backup store", databaseId);
            return Optional.empty();
        }
        Optional<DatabaseDirectory.Placement> placement = databases.lockPlacement(databaseId);
        if (placement.isEmpty()) {
            log.warn("scheduled backup of unknown database {} skipped", databaseId);
            return Optional.empty();
        }
        if (records.firingTaken(databaseId, scheduledFor)) {
            log.info("scheduled backup of database {} for {} skipped: that firing already took one", databaseId,
                    scheduledFor);
            return Optional.empty();
        }
        if (records.runningFor(databaseId)) {
            log.warn("scheduled backup of database {} for {} skipped: the previous backup is still running",
                    databaseId, scheduledFor);
            return Optional.empty();
        }
        if (!placement.get().hasCompute()) {
            log.warn("scheduled backup of database {} for {} skipped: it has no compute (being created, failed, or "
                    + "being deleted)", databaseId, scheduledFor);
            return Optional.empty();
        }
        return Optional.of(start(placement.get(), "SCHEDULED", scheduledFor).backup());
    }

    private Started start(DatabaseDirectory.Placement placement, String trigger, Instant scheduledFor) {
        UUID id = UUID.randomUUID();
        ComputeTasks.Queued queued = tasks.queue(placement.databaseId(), OperationType.BACKUP_DATABASE, BACKUP_TASK,
                Map.of("backupId", id.toString()), settings.backupTimeout());
        records.insert(id, placement.tenantId(), placement.databaseId(), queued.operation().id(), queued.task().id(),
                trigger, scheduledFor, clock.instant());
        log.info("{} backup {} of database {} started (task {})", trigger.toLowerCase(java.util.Locale.ROOT), id,
                placement.databaseId(), queued.task().id());
        return new Started(queued.operation(), records.find(id).orElseThrow());
    }

    /** @throws ApiException 409 {@code backups-not-configured} without a backup store */
    public void requireConfigured() {
        store.require();
    }

    /** The database's last 100 backups, newest first. */
    @Transactional(readOnly = true)
    public List<Backup> ofDatabase(UUID databaseId) {
        return records.ofDatabase(databaseId, MAX_LISTED);
    }

    /** A backup of the tenant's; 404 for another tenant's or an unknown id. */
    @Transactional(readOnly = true)
    public Backup get(UUID tenantId, UUID id) {
        return records.findOfTenant(tenantId, id).orElseThrow(() -> ApiException.notFound("backup"));
    }
}
