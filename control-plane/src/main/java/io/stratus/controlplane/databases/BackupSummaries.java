package io.stratus.controlplane.databases;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * What a database view shows of its backups, from whichever feature keeps them (backups implements it; the databases
 * feature does not depend on it, so there is no cycle between the two).
 */
public interface BackupSummaries {

    /** {@code OK}, {@code STALE}, {@code FAILING} or {@code NONE} (see the API documentation of the database view). */
    enum BackupStatus {
        OK, STALE, FAILING, NONE
    }

    /**
     * @param lastGoodBackupId the newest backup a restore may use; null without one
     * @param lastGoodBackupAt when that backup became consistent (its data is as of then)
     */
    record BackupSummary(BackupStatus status, UUID lastGoodBackupId, Instant lastGoodBackupAt) {

        public static final BackupSummary NONE = new BackupSummary(BackupStatus.NONE, null, null);
    }

    /** Each of the databases' summaries; a database without backups may be left out (NONE). */
    Map<UUID, BackupSummary> summaries(Collection<UUID> databaseIds);
}
