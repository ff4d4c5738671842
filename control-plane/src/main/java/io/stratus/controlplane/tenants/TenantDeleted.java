package io.stratus.controlplane.tenants;

import java.util.UUID;

/**
 * Published in the transaction that deletes a tenant: the features that hold its things (databases, keys) let them go
 * in that same transaction, so a tenant is deleted whole or not at all.
 */
public record TenantDeleted(UUID tenantId) {
}
