package io.stratus.controlplane.databases;

import io.stratus.controlplane.operations.OperationState;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.stratus.controlplane.web.RequestExample;
import io.stratus.controlplane.web.RequestValidation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/databases/{id}/roles}: a database's login roles besides its owner (see {@link DatabaseRoles}). */
@RestController
@Tag(name = "Roles", description = "A database's login roles besides its owner, for applications and people that "
        + "should not own it.")
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

    @Schema(name = "RoleCreated")
    record Created(DatabaseRoles.RoleView role, String password, Operations.OperationView operation) {
    }

    /**
     * Creates the role and waits briefly for the agent to apply it, so that the password works when the answer
     * arrives ({@code operation.state} says whether it does yet; a suspended database gets it when it next runs).
     */
    @PostMapping("/v1/databases/{id}/roles")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createRole", summary = "Create a role", description = """
            Creates a login role of the database and answers 201 with the role, its password (shown only here: the \
            control plane keeps a SCRAM-SHA-256 verifier) and the `CREATE_ROLE` operation. `readOnly: true` reads \
            every table of the database (also tables the owner creates later) and writes nothing; `false` reads and \
            writes rows. Neither may create, alter or drop anything, nor manage roles. The role connects through the \
            front door like the owner (`role.connection.uri`). Waits up to 10 seconds for the agent to apply it \
            (`operation.state` `SUCCEEDED`); a suspended database gets it when it next runs. `name`: \
            `^[a-z][a-z0-9_]{0,62}$`, not reserved (`postgres`, `pg_*`, `stratus*`, `template*`). Needs a \
            tenant-admin key.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "A problem: `role-exists` (the owner's name or a role the "
            + "database has), `quota-exceeded` (more than 20 roles), `database-deleted`; or the usual answer "
            + "(`application/json`) with the `CREATE_ROLE` operation `FAILED`.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = Created.class)))
    @RequestExample("""
            {"name": "reporting", "readOnly": true}""")
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
    @Operation(operationId = "listRoles", summary = "List a database's roles", description = """
            The database's roles besides its owner, by name, each with `readOnly`, `createdAt` and its connection \
            (never a password). Any key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The database's roles, by name.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    List<DatabaseRoles.RoleView> list(Caller caller, @PathVariable UUID id) {
        return roles.list(caller.tenant(), id);
    }

    @DeleteMapping("/v1/databases/{id}/roles/{name}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "deleteRole", summary = "Delete a role", description = """
            Removes the role and answers 202 with the `DELETE_ROLE` operation (also at `Location`): its open \
            sessions end and it can no longer log in once the agent has applied it. A role the database does not \
            have answers 404. Needs a tenant-admin key.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @ApiResponse(responseCode = "409", description = "`database-deleted`: the database is deleted or being deleted.")
    ResponseEntity<DatabaseViews.Accepted> delete(Caller caller, @PathVariable UUID id, @PathVariable String name) {
        UUID tenant = caller.tenant();
        provisioning.get(tenant, id);
        caller.requireTenantAdmin();
        var op = roles.delete(tenant, id, name);
        return ResponseEntity.accepted().location(URI.create("/v1/operations/" + op.id()))
                .body(new DatabaseViews.Accepted(op));
    }
}
