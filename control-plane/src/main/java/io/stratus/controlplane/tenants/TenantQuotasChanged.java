package io.stratus.controlplane.tenants;

import java.util.UUID;

/** Published in the transaction that changed a tenant's storage quota: its databases' storage limits follow it. */
public record TenantQuotasChanged(UUID tenantId) {
}
