package io.stratus.protocol;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * One compute as the control plane wants it.
 *
 * @param computeId     stable id (the database's id)
 * @param databaseName  the tenant's database inside the compute
 * @param ownerRole     the tenant's login role, owner of the database
 * @param ownerVerifier SCRAM-SHA-256 verifier of the owner's password; the password itself is never sent
 * @param running       true to run it, false to keep it stopped (suspended) with its data
 * @param cu            capacity units to grant now
 * @param minCu         lower end of its range (sizes settings that need a restart)
 * @param maxCu         upper end of its range
 * @param port          TCP port the control plane allocated for it on this node
 * @param release       Postgres major version or full version wanted, e.g. {@code 15}
 * @param specVersion   increases whenever anything above changes; reported back once applied
 */
public record ComputeSpec(UUID computeId, String databaseName, String ownerRole, String ownerVerifier,
                          boolean running, BigDecimal cu, BigDecimal minCu, BigDecimal maxCu, int port,
                          String release, long specVersion) {
}
