package io.stratus.controlplane.databases;

import io.stratus.controlplane.databases.DatabaseRequests.CreateDatabaseRequest;
import io.stratus.controlplane.databases.DatabaseViews.Accepted;
import io.stratus.controlplane.databases.DatabaseViews.Created;
import io.stratus.controlplane.operations.OperationState;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
import io.stratus.controlplane.web.RequestExample;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/databases}: a tenant's databases. Always scoped to the caller's tenant; others' ids are 404. */
@RestController
@Tag(name = "Databases", description = "A tenant's serverless Postgres databases: create, read, change capacity, "
        + "suspend and resume, reset the owner's password, delete.")
class DatabaseController {

    private static final int MAX_PAGE_SIZE = 100;

    private final DatabaseProvisioning provisioning;
    private final DatabaseRequests requests;
    private final SpecApplyWait applyWait;
    private final ReleaseCheck releases;
    private final Operations operations;

    DatabaseController(DatabaseProvisioning provisioning, DatabaseRequests requests, SpecApplyWait applyWait,
                       Operations operations, ReleaseCheck releases) {
        this.releases = releases;
        this.operations = operations;
        this.provisioning = provisioning;
        this.requests = requests;
        this.applyWait = applyWait;
    }

    @PostMapping("/v1/databases")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "createDatabase", summary = "Create a database", description = """
            Creates a database and its owner role, and answers 202 with the database, the `CREATE_DATABASE` \
            operation (also at `Location`) and the connection with the owner's password, shown only here and in \
            password resets. The connection URI is complete at once and never changes. `name`: \
            `^[a-z][a-z0-9_]{0,62}$`, not reserved (`postgres`, `template*`, `pg_*`, `stratus*`), unique among the \
            tenant's live databases. `minCu`, `maxCu`: multiples of 0.25 with `0.25 <= minCu <= maxCu <=` the \
            fleet maximum (`stratus.max-cu`, 8 by default). `release`: the Postgres major (or major.minor) version, 15 by default; \
            a major some node runs or Stratus supports (15 to 18), or a full version some node runs (400 otherwise). \
            `suspendTimeoutSeconds`: 0 never suspends, otherwise 10 to 604800; 300 by default. `pgStatStatements`: \
            true to have the compute preload pg_stat_statements and create it in the database, for the tenant's own \
            query statistics (false by default: requests are metered by the front door, and the extension costs a \
            small compute a few percent of its throughput). \
            With `Idempotency-Key` (1 to 255 characters, per tenant) the same key and body answer the same database \
            and operation with a freshly issued password (never sooner than 5 s after the last one, so a duplicate             sent at the same time cannot break the password its twin received). Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "`database-exists`: a live database of the tenant has the "
            + "name; `quota-exceeded`: the tenant's quota of databases or of total maxCu would be passed (the quota is "
            + "named, nothing is created); `idempotency-key-in-use` (with `Retry-After`): a request with the "
            + "`Idempotency-Key` is being processed or was answered less than `stratus.idempotency.reissue-after` "
            + "(5 s) ago; retried after that, a replay answers with a new password.")
    @ApiResponse(responseCode = "422", description = "`idempotency-key-reused`: the `Idempotency-Key` was used with a "
            + "different body.")
    @RequestExample("""
            {"name": "shop", "minCu": 0.25, "maxCu": 2, "release": "15"}""")
    ResponseEntity<Created> create(Caller caller, @RequestBody CreateDatabaseRequest body,
                                   @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        UUID tenant = caller.requireTenantAdmin();
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 255 characters");
        }
        var valid = requests.validate(body);
        releases.requireRunnable(valid.release());
        DatabaseProvisioning.CreateResult result;
        try {
            result = provisioning.create(tenant, valid, idempotencyKey);
        } catch (DataIntegrityViolationException e) {
            // A concurrent request with the same key or name won the race: answer as the loser would have, had it
            // come second (a replay, or a 409 for the name).
            result = provisioning.create(tenant, valid, idempotencyKey);
        }
        Created created = result.body();
        if (result.replayed() && created.database().node() != null) {
            // The replay's password is new: let the agent apply it before handing it out (bounded).
            UUID id = created.database().id();
            long version = result.specVersion();
            applyWait.await(() -> provisioning.applied(tenant, id, version));
        }
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + created.operation().id())).body(created);
    }

    @GetMapping("/v1/databases")
    @Operation(operationId = "listDatabases", summary = "List databases", description = """
            The tenant's databases, oldest first, a page at a time: `page` from 0, `size` 1 to 100 (20 by default). \
            Deleted databases are left out unless `includeDeleted=true`. Any key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "A page of the tenant's databases, with the total count.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    DatabaseViews.Page list(Caller caller, @RequestParam(defaultValue = "0") int page,
                            @RequestParam(defaultValue = "20") int size,
                            @RequestParam(defaultValue = "false") boolean includeDeleted) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        QueryParams.page(page, size, MAX_PAGE_SIZE, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return provisioning.list(caller.tenant(), page, size, includeDeleted);
    }

    @GetMapping("/v1/databases/{id}")
    @Operation(operationId = "getDatabase", summary = "Get a database", description = """
            The database: its state (`PROVISIONING`, `RUNNING`, `SUSPENDED`, `DELETING`, `DELETED`, `FAILED`), its CU \
            range and the CU granted now (`currentCu`, 0 while suspended), how the host enforces it, its node and \
            connection (without password), and `observedAt`, when the agent on its host last reported. Once that \
            agent has missed its heartbeats, `message` says the state shown is the last one observed. Any key of the \
            tenant.""")
    @ApiResponse(responseCode = "200", description = "The database.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    DatabaseViews.DatabaseView get(Caller caller, @PathVariable UUID id) {
        return provisioning.get(caller.tenant(), id);
    }

    @DeleteMapping("/v1/databases/{id}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "deleteDatabase", summary = "Delete a database", description = """
            Deletes the database's compute and data. Answers 202 with the `DELETE_DATABASE` operation (also at \
            `Location`), which succeeds when the compute and its data directory are gone from the host. Repeating it \
            answers the same operation. Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    ResponseEntity<Accepted> delete(Caller caller, @PathVariable UUID id) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id); // 404 before 403: a read key learns nothing about other tenants' ids
        caller.requireTenantAdmin();
        var op = provisioning.delete(tenant, id);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id())).body(new Accepted(op));
    }

    @PatchMapping("/v1/databases/{id}")
    @Operation(operationId = "updateDatabase", summary = "Change a database's capacity or settings", description = """
            Changes any of `minCu`, `maxCu`, `suspendTimeoutSeconds` and `pgStatStatements`, validated as at \
            creation (every bad field \
            at once, nothing changed), and answers the database. The current CU moves into the new range at once and \
            the database is never restarted: `max_connections` and `shared_buffers`, sized from maxCu, take their \
            new values at its next start, and so does `pgStatStatements` (turned on, the extension is there from the \
            compute's next resume; suspend it to have it now). `suspendTimeoutSeconds`: 0 never suspends, otherwise \
            10 to 604800. Needs a \
            tenant-admin key.""")
    @ApiResponse(responseCode = "200", description = "The database with its new range.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "`database-deleted`: the database is deleted or being deleted; "
            + "`quota-exceeded`: a maxCu raise would pass the tenant's total maxCu quota; `node-capacity`: the raised "
            + "minCu cannot be guaranteed on the database's node (named `minCu`). Nothing is changed.")
    @RequestExample("""
            {"minCu": 0.5, "maxCu": 4, "suspendTimeoutSeconds": 600}""")
    DatabaseViews.DatabaseView update(Caller caller, @PathVariable UUID id,
                                      @RequestBody DatabaseRequests.UpdateDatabaseRequest body) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        return provisioning.update(tenant, id, body, requests);
    }

    @PostMapping("/v1/databases/{id}/suspend")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "suspendDatabase", summary = "Suspend a database", description = """
            Stops the compute and keeps its data: open sessions end (a fast shutdown: open transactions roll back). \
            Answers 202 with the `SUSPEND_DATABASE` operation (also at `Location`), done when the agent reports the \
            compute stopped; a suspended database answers the operation that suspended it. A client connecting with \
            the database's URI wakes it again. Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "`not-runnable`: the database failed, or is deleted or being "
            + "deleted.")
    ResponseEntity<Accepted> suspend(Caller caller, @PathVariable UUID id) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        var op = provisioning.suspend(tenant, id);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id())).body(new Accepted(op));
    }

    @PostMapping("/v1/databases/{id}/resume")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "resumeDatabase", summary = "Resume a database", description = """
            Starts the compute again at `minCu` (its node keeps that much for a suspended database, so a resume always \
            fits); the autoscaler grows it from there. Answers 202 with the `RESUME_DATABASE` operation (also at \
            `Location`), done when the compute runs and accepts logins again; a running database answers the \
            operation that got it there. Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "`not-runnable`: the database failed, or is deleted or being "
            + "deleted.")
    ResponseEntity<Accepted> resume(Caller caller, @PathVariable UUID id) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        var op = provisioning.resume(tenant, id);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id())).body(new Accepted(op));
    }

    /**
     * Issues a new password and waits briefly for the agent to apply it, so that the password works when the
     * response arrives; {@code operation.state} says whether it does yet.
     */
    @PostMapping("/v1/databases/{id}/reset-password")
    @Operation(operationId = "resetDatabasePassword", summary = "Reset the owner's password", description = """
            Issues a new password for the database's owner, shown only in this answer, and waits up to 10 seconds for \
            the agent to apply it; `operation.state` says whether it has. The old password stops working. Needs a \
            tenant-admin key.""")
    @ApiResponse(responseCode = "200", description = "The new password, the connection with it, and the "
            + "`RESET_PASSWORD` operation.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "A problem, `database-deleted`: the database is deleted or being "
            + "deleted; or the usual answer (`application/json`) with the `RESET_PASSWORD` operation `FAILED`.",
            content = @Content(mediaType = "application/json",
                    schema = @Schema(implementation = DatabaseViews.PasswordReset.class)))
    ResponseEntity<DatabaseViews.PasswordReset> resetPassword(Caller caller, @PathVariable UUID id) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        var issued = provisioning.resetPassword(tenant, id);
        applyWait.await(() -> provisioning.applied(tenant, id, issued.specVersion()));
        var op = operations.find(tenant, issued.operation().id());
        HttpStatus status = op.state() == OperationState.FAILED ? HttpStatus.CONFLICT : HttpStatus.OK;
        return ResponseEntity.status(status).body(new DatabaseViews.PasswordReset(issued.password(), issued.connection(), op));
    }
}
