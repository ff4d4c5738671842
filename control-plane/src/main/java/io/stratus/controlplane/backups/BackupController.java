package io.stratus.controlplane.backups;

import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.databases.DatabaseState;
import io.stratus.controlplane.databases.DatabaseViews;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestExample;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A database's backups, backup policy, recovery window and restores. Scoped to the caller's tenant like every database
 * endpoint: another tenant's database or backup is 404; any key of the tenant reads, a tenant-admin key changes.
 */
@RestController
@Tag(name = "Backups", description = "Managed backups: a policy per database, backups taken on schedule or on "
        + "request, verified, and restored into a new database from a backup or to a point in time.")
class BackupController {

    private static final String NOT_CONFIGURED = "`backups-not-configured`: the control plane has no backup store. ";

    private final DatabaseProvisioning databases;
    private final BackupPolicies policies;
    private final Backups backups;
    private final RecoveryWindows windows;
    private final BackupRestores restores;

    BackupController(DatabaseProvisioning databases, BackupPolicies policies, Backups backups, RecoveryWindows windows,
                     BackupRestores restores) {
        this.databases = databases;
        this.policies = policies;
        this.backups = backups;
        this.windows = windows;
        this.restores = restores;
    }

    /** The tenant's database (404 otherwise, before any 403: a read key learns nothing of other tenants' ids). */
    private DatabaseViews.DatabaseView database(Caller caller, UUID id) {
        return databases.get(caller.tenant(), id);
    }

    @PutMapping("/v1/databases/{id}/backup-policy")
    @Operation(operationId = "putBackupPolicy", summary = "Set a database's backup policy", description = """
            Sets when the database is backed up and for how long backups are kept, and answers the policy. \
            `schedule`: a 5-field cron (`minute hour day-of-month month day-of-week`, UTC; numbers, ranges, lists, \
            `*`, steps, month and day names), at most as often as the control plane allows (every 5 minutes by \
            default), restricting the day of month or the day of week, not both. `retentionDays`: 1 to 3650; the \
            newest good backup is kept whatever its age. A control plane that was down at a firing takes the backup \
            once when it is back. Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "200", description = "The policy as stored (the schedule normalised).")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = NOT_CONFIGURED
            + "`database-deleted`: the database is deleted or being deleted.")
    @RequestExample("""
            {"schedule": "0 3 * * *", "retentionDays": 7}""")
    BackupPolicy putPolicy(Caller caller, @PathVariable UUID id, @RequestBody BackupPolicy body) {
        DatabaseViews.DatabaseView db = database(caller, id);
        caller.requireTenantAdmin();
        backups.requireConfigured();
        policies.validate(body);
        if (db.state() == DatabaseState.DELETING || db.state() == DatabaseState.DELETED) {
            throw ApiException.conflict("database-deleted", "the database is deleted or being deleted", null);
        }
        return policies.put(caller.tenant(), id, body);
    }

    @GetMapping("/v1/databases/{id}/backup-policy")
    @Operation(operationId = "getBackupPolicy", summary = "Get a database's backup policy", description = """
            The database's policy: `schedule` (5-field cron, UTC) and `retentionDays`; 404 when it has none. Any key \
            of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The policy.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    BackupPolicy getPolicy(Caller caller, @PathVariable UUID id) {
        database(caller, id);
        return policies.find(id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "not-found", "Not found",
                "the database has no backup policy", List.of()));
    }

    @DeleteMapping("/v1/databases/{id}/backup-policy")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteBackupPolicy", summary = "Clear a database's backup policy", description = """
            Stops the database's scheduled backups. Its backups stay and are still expired after the policy's \
            retention, which becomes the control plane's default (7 days). Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "204", description = "Cleared (also when there was none).")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    ResponseEntity<Void> deletePolicy(Caller caller, @PathVariable UUID id) {
        database(caller, id);
        caller.requireTenantAdmin();
        policies.clear(id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/v1/databases/{id}/backups")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "createBackup", summary = "Back up a database now", description = """
            Starts a backup and answers 202 with the `BACKUP_DATABASE` operation and the backup (also at \
            `Location`), `RUNNING` until its agent reports it. A running database is backed up hot; a suspended one \
            is copied cold, without waking it. The backup is `SUCCEEDED` only once every file is stored with its \
            checksum and the WAL to its end is archived, `FAILED` with a `reasonCode` otherwise \
            (`store-unreachable`, `store-denied`, `store-failed`, `archiving-failed`, `interrupted-by-agent-restart`, \
            `deadline-exceeded`, ...). Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "202", description = "The backup, `RUNNING`, and its operation.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = NOT_CONFIGURED + "`backup-running`: a backup of the database "
            + "is running (one at a time); `no-compute`: the database is being created, failed, or is deleted.")
    ResponseEntity<Backups.Started> backUp(Caller caller, @PathVariable UUID id) {
        database(caller, id);
        caller.requireTenantAdmin();
        Backups.Started started = backups.startManual(id);
        return ResponseEntity.accepted().location(URI.create("/v1/backups/" + started.backup().id())).body(started);
    }

    /** A database's backups, newest first. */
    @Schema(name = "BackupList")
    record BackupList(List<Backup> items) {
    }

    @GetMapping("/v1/databases/{id}/backups")
    @Operation(operationId = "listBackups", summary = "List a database's backups", description = """
            The database's last 100 backups, newest first, expired ones included, each with its state, its \
            consistency point (`stoppedAt`), size, release, LSNs and WAL segments, and its last verification. Any \
            key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The database's backups, newest first.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    BackupList list(Caller caller, @PathVariable UUID id) {
        database(caller, id);
        return new BackupList(backups.ofDatabase(id));
    }

    @GetMapping("/v1/backups/{id}")
    @Operation(operationId = "getBackup", summary = "Get a backup", description = """
            The backup: `state` (`RUNNING`, `SUCCEEDED`, `FAILED` with `reasonCode` and `message`, `VERIFIED`, \
            `EXPIRED`), `trigger` (`MANUAL` or `SCHEDULED`), `method` (`hot` or `cold`), `stoppedAt` (the earliest \
            instant a restore from it can target), size, files, release, timeline, LSNs, WAL segments, and \
            `verification` (its last check: state, reason, and the rows counted). Any key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The backup.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    Backup get(Caller caller, @PathVariable UUID id) {
        return backups.get(caller.tenant(), id);
    }

    @GetMapping("/v1/databases/{id}/recovery-window")
    @Operation(operationId = "getRecoveryWindow", summary = "Get a database's recovery window", description = """
            The instants the database can be restored to: `earliest`, the oldest kept good backup's consistency \
            point, to `latest`, the later of the newest good backup's and the newest archived WAL's (WAL is \
            archived at least every minute while the database runs). Both null without a good backup. Any key of \
            the tenant.""")
    @ApiResponse(responseCode = "200", description = "The recovery window.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    @ApiResponse(responseCode = "409", description = NOT_CONFIGURED)
    @ApiResponse(responseCode = "503", description = "`backup-store-unavailable`: the backup store could not be "
            + "listed; retry later.")
    RecoveryWindows.Window window(Caller caller, @PathVariable UUID id) {
        database(caller, id);
        backups.requireConfigured();
        return windows.of(id);
    }

    @PostMapping("/v1/databases/{id}/restore")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "restoreDatabase", summary = "Restore a backup into a new database", description = """
            Creates a **new** database, `newDatabaseName` (named as a create's), from one of this database's \
            backups; the source is never touched. Give exactly one of `backupId` (a `SUCCEEDED` or `VERIFIED` \
            backup: the data as it was at its `stoppedAt`) and `pointInTime` (an instant within the recovery \
            window: the newest good backup consistent by then, with the archived WAL replayed to it). The new \
            database takes the source's release, CU range and settings, and a new owner password, shown only in \
            this answer. Answers 202 with the database, the `RESTORE_DATABASE` operation (also at `Location`), which \
            succeeds when the restored compute runs and fails if it cannot be built, and the connection. Quotas \
            apply as to a create, and so does `Idempotency-Key`. Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "202", description = "The new database, its `RESTORE_DATABASE` operation and its connection with the owner's password (shown only here).")
    @ApiResponse(responseCode = "400", description = "A field is missing or wrong (named in `errors`); "
            + "`pointInTime` outside the recovery window names the window.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = NOT_CONFIGURED + "`backup-not-restorable`: the backup is not "
            + "`SUCCEEDED` or `VERIFIED` (or failed its verification); `database-exists`, `quota-exceeded`, "
            + "`idempotency-key-in-use`: as for a create.")
    @ApiResponse(responseCode = "422", description = "`idempotency-key-reused`: the `Idempotency-Key` was used with a "
            + "different body.")
    @ApiResponse(responseCode = "503", description = "`backup-store-unavailable`: the recovery window could not be "
            + "read from the backup store; retry later.")
    @RequestExample("""
            {"pointInTime": "2026-12-08T03:15:00Z", "newDatabaseName": "shop_before_migration"}""")
    ResponseEntity<DatabaseViews.Created> restore(Caller caller, @PathVariable UUID id,
                                                  @RequestBody BackupRestores.RestoreRequest body,
                                                  @RequestHeader(name = "Idempotency-Key", required = false)
                                                  String idempotencyKey) {
        database(caller, id);
        UUID tenant = caller.requireTenantAdmin();
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 255 characters");
        }
        DatabaseViews.Created created = restores.restore(tenant, id, body, idempotencyKey).body();
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + created.operation().id()))
                .body(created);
    }
}
