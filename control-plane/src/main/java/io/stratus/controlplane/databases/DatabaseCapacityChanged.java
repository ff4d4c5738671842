package io.stratus.controlplane.databases;

import java.math.BigDecimal;
import java.util.UUID;

/** Published when a user's request (not the autoscaler) changed a database's capacity: a range change, suspend or resume. */
public record DatabaseCapacityChanged(UUID databaseId, UUID tenantId, BigDecimal fromCu, BigDecimal toCu, String reason) {
}
