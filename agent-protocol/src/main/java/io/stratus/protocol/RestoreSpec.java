package io.stratus.protocol;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A new compute made from another database's backup: the base backup {@code backupId} of compute
 * {@code sourceComputeId}, taken from the backup store, then that compute's archived WAL replayed up to
 * {@code targetTime} (or, without one, only to the end of the backup: the data as it was when the backup finished).
 * The source is never touched.
 *
 * @param sourceDatabaseName the database as it is named in the backup; the agent renames it to the new compute's
 * @param sourceOwnerRole    the owner role as it is named in the backup; renamed too
 */
public record RestoreSpec(UUID sourceComputeId, UUID backupId, Instant targetTime, String sourceDatabaseName,
                          String sourceOwnerRole) {

    public RestoreSpec {
        Objects.requireNonNull(sourceComputeId, "sourceComputeId");
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(sourceDatabaseName, "sourceDatabaseName");
        Objects.requireNonNull(sourceOwnerRole, "sourceOwnerRole");
    }
}
