package io.stratus.controlplane.databases;

import java.util.UUID;

/**
 * A database is being deleted (its compute and data go; the row stays, DELETING then DELETED), in the transaction that
 * decides it. Published once: a repeated delete finds it no longer live.
 */
public record DatabaseDeleted(UUID tenantId, UUID databaseId) {
}
