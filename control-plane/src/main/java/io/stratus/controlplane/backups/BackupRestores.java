package io.stratus.controlplane.backups;

import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Restores a backup into a new database (never over its source): by backup id (the data as the backup left it) or by
 * point in time (the newest good backup consistent by then, with WAL replayed to it). The backup's row is locked
 * until the new database is written, so retention cannot expire it in between.
 */
@Service
class BackupRestores {

    private final BackupRecords records;
    private final RecoveryWindows windows;
    private final ConfiguredStore store;
    private final DatabaseProvisioning provisioning;

    BackupRestores(BackupRecords records, RecoveryWindows windows, ConfiguredStore store,
                   DatabaseProvisioning provisioning) {
        this.records = records;
        this.windows = windows;
        this.provisioning = provisioning;
        this.store = store;
    }

    /**
     * {@code POST /v1/databases/{id}/restore} body: exactly one of {@code backupId} and {@code pointInTime}.
     *
     * @param newDatabaseName the new database's name, as a create's
     */
    @Schema(name = "RestoreRequest")
    record RestoreRequest(UUID backupId, Instant pointInTime, String newDatabaseName) {
    }

    @Transactional
    public DatabaseProvisioning.CreateResult restore(UUID tenantId, UUID sourceId, RestoreRequest request,
                                                     String idempotencyKey) {
        store.require();
        if ((request.backupId() == null) == (request.pointInTime() == null)) {
            throw ApiException.invalid(request.backupId() == null ? "backupId" : "pointInTime",
                    "give exactly one of backupId and pointInTime");
        }
        if (request.newDatabaseName() == null) {
            throw ApiException.invalid("newDatabaseName", "is required");
        }
        Backup backup;
        Instant targetTime = null;
        if (request.backupId() != null) {
            backup = records.findOfTenant(tenantId, request.backupId())
                    .filter(b -> b.databaseId().equals(sourceId))
                    .orElseThrow(() -> ApiException.notFound("backup"));
        } else {
            RecoveryWindows.Window window = windows.of(sourceId);
            if (window.earliest() == null) {
                throw ApiException.invalid("pointInTime", "the database has no good backup: there is no recovery "
                        + "window to restore from");
            }
            if (!window.contains(request.pointInTime())) {
                throw ApiException.invalid("pointInTime", request.pointInTime() + " is outside the recovery window "
                        + window.describe());
            }
            targetTime = request.pointInTime();
            backup = windows.backupFor(sourceId, targetTime).orElseThrow(() -> ApiException.invalid("pointInTime",
                    "no good backup is consistent by " + request.pointInTime()));
        }
        // Locked, then checked again: retention may have expired it since it was read.
        backup = records.lock(backup.id()).orElseThrow(() -> ApiException.notFound("backup"));
        if (!backup.good()) {
            throw ApiException.conflict("backup-not-restorable", "backup " + backup.id() + " is " + backup.state()
                    + (backup.verification() != null && backup.verification().condemns()
                    ? " and failed its verification (" + backup.verification().reasonCode() + ")" : "")
                    + ": only a SUCCEEDED or VERIFIED backup can be restored", "backupId");
        }
        return provisioning.restore(tenantId, new DatabaseProvisioning.RestoreAsked(sourceId, request.backupId(),
                        request.pointInTime(), request.newDatabaseName()),
                new DatabaseProvisioning.RestoreSource(sourceId, backup.id(), targetTime), idempotencyKey);
    }
}
