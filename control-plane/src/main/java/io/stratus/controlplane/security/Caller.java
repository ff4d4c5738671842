package io.stratus.controlplane.security;

import io.stratus.controlplane.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import java.util.UUID;

/**
 * Who is calling: the API key's id, role and tenant (null for the operator). Controllers take it as a parameter.
 */
public record Caller(UUID keyId, Role role, UUID tenantId) {

    /** The request attribute the authentication filter leaves the caller in. */
    static final String ATTRIBUTE = Caller.class.getName();

    /** The caller of a /v1 request that passed authentication; empty for any other request. */
    public static Optional<Caller> of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Caller c ? Optional.of(c) : Optional.empty();
    }

    public boolean isOperator() {
        return role == Role.OPERATOR;
    }

    /** The caller's tenant; operators have none and are refused tenant-scoped endpoints. */
    public UUID tenant() {
        if (tenantId == null) {
            throw ApiException.forbidden("this endpoint needs a tenant API key");
        }
        return tenantId;
    }

    /** Refuses anyone but the operator. */
    public void requireOperator() {
        if (!isOperator()) {
            throw ApiException.forbidden("this endpoint needs the operator key");
        }
    }

    /** Refuses read-only keys. */
    public UUID requireTenantAdmin() {
        UUID t = tenant();
        if (role != Role.TENANT_ADMIN) {
            throw ApiException.forbidden("this key may only read");
        }
        return t;
    }

    /**
     * Whether the caller may see tenant {@code id}: the operator sees all, a tenant key only its own. Callers answer
     * 404, not 403, when this is false, so that other tenants' ids reveal nothing.
     */
    public boolean canSee(UUID tenant) {
        return isOperator() || tenant.equals(tenantId);
    }
}
