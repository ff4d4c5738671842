package io.stratus.controlplane.tenants;

import io.stratus.controlplane.security.ApiKeys;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.security.Role;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
import io.stratus.controlplane.web.RequestExample;
import io.stratus.controlplane.web.RequestValidation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/tenants}: tenants (operator) and their API keys (operator or the tenant's admin). */
@RestController
@Tag(name = "Tenants", description = "Tenants (created by the operator), their quotas and their API keys.")
class TenantController {

    private final TenantDirectory tenants;
    private final ApiKeys apiKeys;
    private final RequestValidation validation;
    private final Clock clock;

    TenantController(TenantDirectory tenants, ApiKeys apiKeys, RequestValidation validation, Clock clock) {
        this.tenants = tenants;
        this.apiKeys = apiKeys;
        this.validation = validation;
        this.clock = clock;
    }

    record CreateTenantRequest(String name) {
    }

    /** {@code expiresAt}: optional, an ISO-8601 instant in the future. */
    record CreateKeyRequest(String role, String expiresAt) {
    }

    /** {@code graceSeconds}: how long the old key keeps working, 0 to a week; an hour when not given. */
    record RotateKeyRequest(Integer graceSeconds) {
    }

    /**
     * {@code PUT /v1/tenants/{id}/quotas}: how many live databases the tenant may have, the most their maxCu may add
     * up to (absent or null: no limit beyond the fleet's) and the most they may store together, in bytes (absent or
     * null: none).
     */
    record QuotasRequest(
            @NotNull(message = "is required") @Min(value = 0, message = "must be 0 or more")
            @Max(value = MAX_DATABASES_QUOTA, message = "must be at most " + MAX_DATABASES_QUOTA) Integer databases,
            @DecimalMin(value = "0", message = "must be 0 or more")
            @Digits(integer = 10, fraction = 2, message = "must have at most 10 digits and 2 decimals") BigDecimal totalMaxCu,
            @Min(value = 0, message = "must be 0 or more")
            @Max(value = MAX_STORAGE_QUOTA, message = "must be at most " + MAX_STORAGE_QUOTA + " (1 PB)") Long storageBytes) {
    }

    /** 1 PB: far beyond any one tenant here, and far from where sums of bytes could overflow. */
    static final long MAX_STORAGE_QUOTA = 1_000_000_000_000_000L;

    static final int MAX_DATABASES_QUOTA = 100_000;
    static final int DEFAULT_ROTATION_GRACE = 3600;
    static final int MAX_ROTATION_GRACE = 7 * 24 * 3600;

    private static final Pattern TENANT_NAME = TenantDirectory.NAME;

    @PostMapping("/v1/tenants")
    @OperatorOnly
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createTenant", summary = "Create a tenant", description = """
            Creates a tenant with the default quotas (operator key only). `name`: a lower-case letter, then up to 62 \
            lower-case letters, digits, `_` or `-`; unique among tenants. Answers 201 with the tenant.""")
    @ApiResponse(responseCode = "409", description = "`tenant-exists`: a tenant has the name.")
    @RequestExample("""
            {"name": "acme"}""")
    TenantDirectory.TenantView create(@RequestBody CreateTenantRequest request) {
        if (request.name() == null) {
            throw ApiException.invalid("name", "is required");
        }
        if (!TENANT_NAME.matcher(request.name()).matches()) {
            throw ApiException.invalid("name", "must match " + TENANT_NAME.pattern());
        }
        return tenants.create(request.name());
    }

    @GetMapping("/v1/tenants")
    @Operation(operationId = "listTenants", summary = "List tenants", description = """
            The operator key sees every tenant, oldest first; a tenant's key sees its own tenant only.""")
    List<TenantDirectory.TenantView> list(Caller caller) {
        if (caller.isOperator()) {
            return tenants.list();
        }
        return tenants.find(caller.tenant()).stream().toList();
    }

    @DeleteMapping("/v1/tenants/{tenantId}")
    @OperatorOnly
    @Operation(operationId = "deleteTenant", summary = "Delete a tenant", description = """
            Deletes the tenant in one transaction: its API keys are revoked (its next request is a 401) and each of \
            its live databases is deleted (a `DELETE_DATABASE` operation each, done when the agent has removed the \
            compute and its data). Its usage, invoices and audit events stay readable by the operator; it gets no new \
            keys (409 `tenant-deleted`). Operator key only. Repeating it answers the same.""")
    @ApiResponse(responseCode = "202", description = "The tenant, its state `DELETED`.")
    ResponseEntity<TenantDirectory.TenantView> delete(@PathVariable UUID tenantId) {
        return ResponseEntity.accepted().body(tenants.delete(tenantId));
    }

    @GetMapping("/v1/tenants/{tenantId}")
    @Operation(operationId = "getTenant", summary = "Get a tenant", description = """
            The tenant with its quotas (`maxDatabases`, `maxTotalCu`, `maxStorageBytes`). The operator key sees any \
            tenant, a tenant's key its own only: another tenant's id answers 404, exactly like an id that does not exist.""")
    TenantDirectory.TenantView get(Caller caller, @PathVariable UUID tenantId) {
        return tenants.visibleTo(caller, tenantId);
    }

    @PostMapping("/v1/tenants/{tenantId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createApiKey", summary = "Issue an API key", description = """
            Issues a `tenant-admin` or `tenant-read` key of the tenant (operator key or a tenant-admin key of the \
            tenant). `expiresAt`, optional, is an ISO-8601 instant in the future; without it the key does not \
            expire. Answers 201 with `{id, role, key, createdAt}`: the key is shown only here (the control plane \
            keeps its SHA-256, never the key).""")
    @ApiResponse(responseCode = "409", description = "`tenant-deleted`: the tenant is deleted.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.OPERATOR_OR_TENANT_ADMIN)
    @RequestExample("""
            {"role": "tenant-read", "expiresAt": "2030-01-01T00:00:00Z"}""")
    ApiKeys.IssuedKey issueKey(Caller caller, @PathVariable UUID tenantId, @RequestBody CreateKeyRequest request) {
        mayManageKeys(caller, tenantId);
        List<ApiException.FieldError> errors = new ArrayList<>();
        Optional<Role> role = request.role() == null ? Optional.empty()
                : Role.fromWire(request.role()).filter(r -> r != Role.OPERATOR);
        if (request.role() == null) {
            errors.add(new ApiException.FieldError("role", "is required"));
        } else if (role.isEmpty()) {
            errors.add(new ApiException.FieldError("role", "must be tenant-admin or tenant-read"));
        }
        Instant expiresAt = QueryParams.instant("expiresAt", request.expiresAt(), errors);
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            errors.add(new ApiException.FieldError("expiresAt", "must be in the future"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return apiKeys.issue(tenantId, role.get(), expiresAt);
    }

    /** Sets the tenant's quotas; what its databases use already stays, only going further is refused. */
    @PutMapping("/v1/tenants/{tenantId}/quotas")
    @OperatorOnly
    @Operation(operationId = "setTenantQuotas", summary = "Set a tenant's quotas", description = """
            Sets how many live databases the tenant may have (`databases`, 0 to 100000, required) and the most its \
            live databases' maxCu may add up to (`totalMaxCu`; absent or null: no limit beyond the fleet's), and the \
            most its live databases may store together (`storageBytes`, 0 to 10^15, `pg_database_size` summed; absent \
            or null: none). Operator key only. Lowering the databases or CU quota changes no database; a create or a \
            maxCu raise that would pass a quota is refused (409 `quota-exceeded`). The storage quota is held on disk: \
            a database whose compute stores its share (the quota minus what the tenant's other live databases store) \
            is made read-only within the agents' storage check interval (`storageLimited` on the database; writes fail \
            with SQLSTATE 25006, reads work), and writable again when the quota is raised or another database is \
            deleted; a create while the tenant stores its quota or more is refused. Answers the tenant.""")
    @RequestExample("""
            {"databases": 20, "totalMaxCu": 16, "storageBytes": 10000000000}""")
    TenantDirectory.TenantView setQuotas(@PathVariable UUID tenantId, @RequestBody QuotasRequest request) {
        validation.check(request);
        return tenants.setQuotas(tenantId, request.databases(), request.totalMaxCu(), request.storageBytes());
    }

    /**
     * A new key of the same role now; the old one keeps working for the grace period, then is refused. Answers the new
     * key, shown only now.
     */
    @PostMapping("/v1/tenants/{tenantId}/api-keys/{keyId}/rotate")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "rotateApiKey", summary = "Rotate an API key", description = """
            Issues a new key of the same role and expiry now; the old one keeps working for `graceSeconds` (0 to \
            604800, an hour when not given; the body is optional), then is refused. Answers 201 with the new key, \
            shown only here. A key already revoked or expired answers 404. Operator key or a tenant-admin key of the \
            tenant.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.OPERATOR_OR_TENANT_ADMIN)
    @RequestExample("""
            {"graceSeconds": 3600}""")
    ApiKeys.IssuedKey rotateKey(Caller caller, @PathVariable UUID tenantId, @PathVariable UUID keyId,
                                @RequestBody(required = false) RotateKeyRequest request) {
        mayManageKeys(caller, tenantId);
        int grace = request == null || request.graceSeconds() == null ? DEFAULT_ROTATION_GRACE : request.graceSeconds();
        if (grace < 0 || grace > MAX_ROTATION_GRACE) {
            throw ApiException.invalid("graceSeconds", "must be between 0 and " + MAX_ROTATION_GRACE);
        }
        return apiKeys.rotate(tenantId, keyId, Duration.ofSeconds(grace));
    }

    @GetMapping("/v1/tenants/{tenantId}/api-keys")
    @Operation(operationId = "listApiKeys", summary = "List a tenant's API keys", description = """
            Every key of the tenant with its role, prefix, creation, revocation, expiry and last use: prefixes only, \
            never the keys. `lastUsedAt` is written at most once a minute per key and control plane. Operator key \
            or a tenant-admin key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The tenant's keys, without their secrets.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.OPERATOR_OR_TENANT_ADMIN)
    List<ApiKeys.KeyView> listKeys(Caller caller, @PathVariable UUID tenantId) {
        mayManageKeys(caller, tenantId);
        return apiKeys.list(tenantId);
    }

    @DeleteMapping("/v1/tenants/{tenantId}/api-keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "revokeApiKey", summary = "Revoke an API key", description = """
            The key stops working at once. Answers 204. Operator key or a tenant-admin key of the tenant.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.OPERATOR_OR_TENANT_ADMIN)
    void revokeKey(Caller caller, @PathVariable UUID tenantId, @PathVariable UUID keyId) {
        mayManageKeys(caller, tenantId);
        apiKeys.revoke(tenantId, keyId);
    }

    private void mayManageKeys(Caller caller, UUID tenantId) {
        tenants.visibleTo(caller, tenantId);
        tenants.requireLive(tenantId);
        if (!caller.isOperator()) {
            caller.requireTenantAdmin();
        }
    }
}
