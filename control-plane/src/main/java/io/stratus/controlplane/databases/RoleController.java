package io.stratus.controlplane.databases;

import io.stratus.controlplane.operations.OperationState;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.RequestValidation;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/databases/{id}/roles}: a database's login roles besides its owner (see {@link DatabaseRoles}). */
@RestController
class RoleController {

    private final DatabaseRoles roles;
    private final DatabaseProvisioning provisioning;
    private final RequestValidation validation;
    private final SpecApplyWait applyWait;
    private final Operations operations;

    RoleController(DatabaseRoles roles, DatabaseProvisioning provisioning, RequestValidation validation,
                   SpecApplyWait applyWait, Operations operations) {
        this.roles = roles;
        this.provisioning = provisioning;
        this.validation = validation;
        this.applyWait = applyWait;
        this.operations = operations;
    }

    /** {@code POST} body. */
    record CreateRoleRequest(
            @NotNull(message = "is required")
            @jakarta.validation.constraints.Pattern(regexp = DatabaseRequests.NAME,
                    message = "must match ^[a-z][a-z0-9_]\\{0,62\\}$ (lower-case letter, then letters, digits or _)")
            @NotReservedName
            String name,
            @NotNull(message = "is required (true: reads every table and writes nothing)")
            Boolean readOnly) {
    }

    record Created(DatabaseRoles.RoleView role, String password, Operations.OperationView operation) {
    }

    /**
     * Creates the role and waits briefly for the agent to apply it, so that the password works when the answer
     * arrives ({@code operation.state} says whether it does yet; a suspended database gets it when it next runs).
     */
    @PostMapping("/v1/databases/{id}/roles")
    ResponseEntity<Created> create(Caller caller, @PathVariable UUID id, @RequestBody CreateRoleRequest body) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        validation.check(body);
        var issued = roles.create(tenant, id, body.name(), body.readOnly());
        if (issued.applyNow()) {
            applyWait.await(() -> provisioning.applied(tenant, id, issued.specVersion()));
        }
        var op = operations.find(tenant, issued.operation().id());
        HttpStatus status = op.state() == OperationState.FAILED ? HttpStatus.CONFLICT : HttpStatus.CREATED;
        return ResponseEntity.status(status).location(URI.create("/v1/databases/" + id + "/roles/" + body.name()))
                .body(new Created(issued.role(), issued.password(), op));
    }

    @GetMapping("/v1/databases/{id}/roles")
    List<DatabaseRoles.RoleView> list(Caller caller, @PathVariable UUID id) {
        return roles.list(caller.tenant(), id);
    }

    @DeleteMapping("/v1/databases/{id}/roles/{name}")
    ResponseEntity<DatabaseViews.Accepted> delete(Caller caller, @PathVariable UUID id, @PathVariable String name) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        var op = roles.delete(tenant, id, name);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id()))
                .body(new DatabaseViews.Accepted(op));
    }
}
