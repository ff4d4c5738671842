package io.stratus.protocol;

import java.util.UUID;

/**
 * Where a compute's backups and WAL live in the backup store; the agent writes them, the control plane expires them,
 * so both name them the same way:
 * <pre>
 * db/&lt;computeId&gt;/base/&lt;backupId&gt;/data/&lt;path in the data directory&gt;
 * db/&lt;computeId&gt;/base/&lt;backupId&gt;/manifest.json   written last: a backup without it is incomplete
 * db/&lt;computeId&gt;/wal/&lt;WAL file name&gt;
 * </pre>
 */
public final class BackupKeys {

    public static final String MANIFEST = "manifest.json";

    private BackupKeys() {
    }

    public static String database(UUID computeId) {
        return "db/" + computeId + "/";
    }

    /** Everything of one base backup: its files and its manifest. */
    public static String base(UUID computeId, UUID backupId) {
        return database(computeId) + "base/" + backupId + "/";
    }

    public static String dataFile(UUID computeId, UUID backupId, String relativePath) {
        return base(computeId, backupId) + "data/" + relativePath;
    }

    public static String manifest(UUID computeId, UUID backupId) {
        return base(computeId, backupId) + MANIFEST;
    }

    public static String wal(UUID computeId) {
        return database(computeId) + "wal/";
    }

    public static String walFile(UUID computeId, String fileName) {
        return wal(computeId) + fileName;
    }
}
