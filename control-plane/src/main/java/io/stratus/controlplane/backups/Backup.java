package io.stratus.controlplane.backups;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One backup of a database, as stored and as the API shows it.
 *
 * @param trigger      {@code MANUAL} (the API) or {@code SCHEDULED} (the policy)
 * @param scheduledFor the firing of the policy that took it; null for a manual one
 * @param state        {@code RUNNING}, {@code SUCCEEDED} (every file stored with its checksum and the WAL to its end
 *                     archived), {@code FAILED} ({@code reasonCode} says why), {@code VERIFIED} (restored and checked),
 *                     {@code EXPIRED} (past its retention, deleted from the store)
 * @param method       {@code hot} (a running compute) or {@code cold} (a suspended one's data directory at rest)
 * @param stoppedAt    when the backup became consistent: the earliest instant a restore from it can target
 * @param release      the Postgres version it was taken with
 */
@Schema(name = "Backup")
public record Backup(UUID id, UUID databaseId, UUID operationId, String trigger, Instant scheduledFor, String state,
                     String reasonCode, String message, Instant createdAt, String method, Instant startedAt,
                     Instant stoppedAt, Instant finishedAt, Long sizeBytes, Integer files, String release,
                     Long timeline, String startLsn, String stopLsn, String startWal, String stopWal,
                     String manifestKey, Instant expiredAt, Verification verification) {

    static final Set<String> GOOD_STATES = Set.of("SUCCEEDED", "VERIFIED");

    /**
     * The last verification of the backup; null before one ran.
     *
     * @param state  {@code RUNNING}, {@code SUCCEEDED} or {@code FAILED}
     * @param result with SUCCEEDED: {@code checksums}, {@code files}, {@code amcheck}, {@code indexesChecked},
     *               {@code tablesCounted}, {@code rows} (table to count), {@code recoveredTo}
     */
    @Schema(name = "BackupVerification")
    public record Verification(String state, String reasonCode, String message, Map<String, Object> result,
                               Instant startedAt, Instant finishedAt) {

        /** A failure that says the backup itself is bad, not that the store could not be reached while checking it. */
        boolean condemns() {
            return "FAILED".equals(state) && (reasonCode == null || !reasonCode.startsWith("store-"));
        }
    }

    /** A restore may start from it: complete, and not found bad by a verification. */
    boolean good() {
        return GOOD_STATES.contains(state) && (verification == null || !verification.condemns());
    }
}
