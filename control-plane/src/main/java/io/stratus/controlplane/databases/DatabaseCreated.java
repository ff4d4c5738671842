package io.stratus.controlplane.databases;

import java.util.UUID;

/** A database was created (or restored from a backup), in the transaction that creates it. */
public record DatabaseCreated(UUID tenantId, UUID databaseId) {
}
