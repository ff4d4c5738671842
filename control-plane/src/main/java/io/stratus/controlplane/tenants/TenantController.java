package io.stratus.controlplane.tenants;

import io.stratus.controlplane.security.ApiKeys;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.security.Role;
import io.stratus.controlplane.web.ApiException;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/tenants}: tenants (operator) and their API keys (operator or the tenant's admin). */
@RestController
class TenantController {

    private final TenantDirectory tenants;
    private final ApiKeys apiKeys;

    TenantController(TenantDirectory tenants, ApiKeys apiKeys) {
        this.tenants = tenants;
        this.apiKeys = apiKeys;
    }

    record CreateTenantRequest(String name) {
    }

    record CreateKeyRequest(String role) {
    }

    private static final Pattern TENANT_NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");

    @PostMapping("/v1/tenants")
    @OperatorOnly
    @ResponseStatus(HttpStatus.CREATED)
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
    List<TenantDirectory.TenantView> list(Caller caller) {
        if (caller.isOperator()) {
            return tenants.list();
        }
        return tenants.find(caller.tenant()).stream().toList();
    }

    @GetMapping("/v1/tenants/{tenantId}")
    TenantDirectory.TenantView get(Caller caller, @PathVariable UUID tenantId) {
        return tenants.visibleTo(caller, tenantId);
    }

    @PostMapping("/v1/tenants/{tenantId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeys.IssuedKey issueKey(Caller caller, @PathVariable UUID tenantId, @RequestBody CreateKeyRequest request) {
        mayManageKeys(caller, tenantId);
        if (request.role() == null) {
            throw ApiException.invalid("role", "is required");
        }
        Role role = Role.fromWire(request.role()).filter(r -> r != Role.OPERATOR)
                .orElseThrow(() -> ApiException.invalid("role", "must be tenant-admin or tenant-read"));
        return apiKeys.issue(tenantId, role);
    }

    @GetMapping("/v1/tenants/{tenantId}/api-keys")
    List<ApiKeys.KeyView> listKeys(Caller caller, @PathVariable UUID tenantId) {
        mayManageKeys(caller, tenantId);
        return apiKeys.list(tenantId);
    }

    @DeleteMapping("/v1/tenants/{tenantId}/api-keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revokeKey(Caller caller, @PathVariable UUID tenantId, @PathVariable UUID keyId) {
        mayManageKeys(caller, tenantId);
        apiKeys.revoke(tenantId, keyId);
    }

    private void mayManageKeys(Caller caller, UUID tenantId) {
        tenants.visibleTo(caller, tenantId);
        if (!caller.isOperator()) {
            caller.requireTenantAdmin();
        }
    }
}
