package io.stratus.controlplane.databases;

import io.stratus.controlplane.databases.DatabaseRequests.CreateDatabaseRequest;
import io.stratus.controlplane.databases.DatabaseViews.Accepted;
import io.stratus.controlplane.databases.DatabaseViews.Created;
import io.stratus.controlplane.operations.OperationState;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
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
class DatabaseController {

    private static final int MAX_PAGE_SIZE = 100;

    private final DatabaseProvisioning provisioning;
    private final DatabaseRequests requests;
    private final SpecApplyWait applyWait;
    private final Operations operations;

    DatabaseController(DatabaseProvisioning provisioning, DatabaseRequests requests, SpecApplyWait applyWait,
                       Operations operations) {
        this.operations = operations;
        this.provisioning = provisioning;
        this.requests = requests;
        this.applyWait = applyWait;
    }

    @PostMapping("/v1/databases")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<Created> create(Caller caller, @RequestBody CreateDatabaseRequest body,
                                   @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        UUID tenant = caller.requireTenantAdmin();
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 255 characters");
        }
        var valid = requests.validate(body);
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
    DatabaseViews.DatabaseView get(Caller caller, @PathVariable UUID id) {
        return provisioning.get(caller.tenant(), id);
    }

    @DeleteMapping("/v1/databases/{id}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<Accepted> delete(Caller caller, @PathVariable UUID id) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id); // 404 before 403: a read key learns nothing about other tenants' ids
        caller.requireTenantAdmin();
        var op = provisioning.delete(tenant, id);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id())).body(new Accepted(op));
    }

    @PatchMapping("/v1/databases/{id}")
    DatabaseViews.DatabaseView update(Caller caller, @PathVariable UUID id,
                                      @RequestBody DatabaseRequests.UpdateDatabaseRequest body) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        return provisioning.update(tenant, id, body, requests);
    }

    @PostMapping("/v1/databases/{id}/suspend")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<Accepted> suspend(Caller caller, @PathVariable UUID id) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        var op = provisioning.suspend(tenant, id);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id())).body(new Accepted(op));
    }

    @PostMapping("/v1/databases/{id}/resume")
    @ResponseStatus(HttpStatus.ACCEPTED)
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
