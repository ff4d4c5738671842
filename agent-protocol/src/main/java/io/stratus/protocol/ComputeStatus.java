package io.stratus.protocol;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * One compute as the agent sees it.
 *
 * @param phase           {@link ComputePhase}
 * @param specVersion     the spec version last applied in full
 * @param acceptingLogins the postmaster answered a startup for the owner role on its socket with a SCRAM challenge
 * @param restarts        how often the agent restarted it after a crash
 * @param message         the last problem, if any
 * @param appliedCu       CU in force on the host (cgroup limits and CU-dependent settings)
 * @param enforcement     how that CU is enforced for this compute: {@code cgroup-v2}, {@code cgroup-v1} or {@code none}
 * @param storedBytes     {@code pg_database_size} of the tenant's database when the agent last measured it for a
 *                        storage limit; null when it has not (no limit, not running, an agent older than it)
 * @param storageLimited  true while the compute is read-only because it stores at least its storage limit (a hot
 *                        standby of nothing: reads work, writes fail with 25006); null from agents older than it
 */
public record ComputeStatus(UUID computeId, ComputePhase phase, long specVersion,
                            String release, boolean acceptingLogins, int restarts, String message,
                            BigDecimal appliedCu, String enforcement, Long storedBytes, Boolean storageLimited) {

    /** A status without storage readings, as agents before storage limits sent it. */
    public ComputeStatus(UUID computeId, ComputePhase phase, long specVersion, String release, boolean acceptingLogins,
                         int restarts, String message, BigDecimal appliedCu, String enforcement) {
        this(computeId, phase, specVersion, release, acceptingLogins, restarts, message, appliedCu, enforcement, null,
                null);
    }

    /** The same status with another message. */
    public ComputeStatus withMessage(String newMessage) {
        return new ComputeStatus(computeId, phase, specVersion, release, acceptingLogins, restarts,
                newMessage, appliedCu, enforcement, storedBytes, storageLimited);
    }

    /** The same status with another enforcement. */
    public ComputeStatus withEnforcement(String newEnforcement) {
        return new ComputeStatus(computeId, phase, specVersion, release, acceptingLogins, restarts, message,
                appliedCu, newEnforcement, storedBytes, storageLimited);
    }

    /** The same status with another storage reading. */
    public ComputeStatus withStorage(Long newStoredBytes, Boolean newStorageLimited, String newMessage) {
        return new ComputeStatus(computeId, phase, specVersion, release, acceptingLogins, restarts, newMessage,
                appliedCu, enforcement, newStoredBytes, newStorageLimited);
    }
}
