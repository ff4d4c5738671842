package io.stratus.agent.backups;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a base backup holds, stored last ({@code manifest.json}): a backup without one is incomplete and never restored.
 * Each file with its size and SHA-256, so a restore or verification finds any byte that changed in the store.
 *
 * @param method       {@code hot} (the running compute, through pg_backup_start/pg_backup_stop; needs the WAL from
 *                     {@code startWal} to {@code stopWal}) or {@code cold} (the stopped compute's data directory,
 *                     WAL included: consistent as it is)
 * @param stoppedAt    when the backup became consistent: the earliest instant a restore from it can reach
 * @param directories  every directory of the data directory, empty ones included (Postgres needs pg_wal, pg_notify...)
 */
record BackupManifest(int version, UUID backupId, UUID computeId, String method, String release, long timeline,
                      String startLsn, String stopLsn, String startWal, String stopWal, Instant startedAt,
                      Instant stoppedAt, String databaseName, String ownerRole, List<String> directories,
                      List<Entry> files) {

    static final int VERSION = 1;

    long sizeBytes() {
        return files.stream().mapToLong(Entry::size).sum();
    }

    /** One file: its path in the data directory, its size and the SHA-256 (hex) of its bytes as stored. */
    record Entry(String path, long size, String sha256) {
    }
}
