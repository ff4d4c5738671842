package io.stratus.agent.backups;

import io.stratus.agent.AgentPaths;
import io.stratus.postgres.OsUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * How a compute archives its WAL: Postgres' {@code archive_command} copies each finished segment into the compute's
 * spool ({@code computes/<id>/wal-spool}), durably, and the {@link WalShipper} sends the spool to the store. Postgres
 * never holds store credentials and an unreachable store never blocks a commit: segments wait in the spool (and
 * Postgres keeps them in pg_wal until they are copied), and a backup waits until the ones it needs are stored.
 */
@Component
public class WalArchiving {

    static final String SPOOL = "wal-spool";

    private final AgentPaths paths;
    private final AgentBackupStore store;
    private final BackupSettings settings;

    public WalArchiving(AgentPaths paths, AgentBackupStore store, BackupSettings settings) {
        this.paths = paths;
        this.store = store;
        this.settings = settings;
    }

    Path spool(UUID computeId) {
        return paths.compute(computeId).resolve(SPOOL);
    }

    /** The archiving settings of a compute (none without a store), with its spool made for the Postgres user. */
    public Map<String, String> settings(UUID computeId, OsUser user) {
        if (!store.configured()) {
            return Map.of();
        }
        Path spool = spool(computeId);
        try {
            if (!Files.isDirectory(spool)) {
                Files.createDirectories(spool);
                Files.setPosixFilePermissions(spool, PosixFilePermissions.fromString("rwx------"));
                user.own(spool);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the WAL spool " + spool, e);
        }
        Map<String, String> s = new LinkedHashMap<>();
        s.put("archive_mode", "on");
        s.put("archive_command", command(spool));
        s.put("archive_timeout", settings.archiveTimeout().toSeconds() + "s");
        return s;
    }

    /**
     * Copies the segment under a temporary name, flushes it to disk and renames it: the shipper never sees half a
     * segment, and Postgres recycles its copy only once ours survives a power loss. A segment already in the spool
     * (archived before a crash, not yet recorded as archived by Postgres) is success when identical, failure if not:
     * Postgres' advice for archive commands.
     */
    static String command(Path spool) {
        String f = "\"" + spool.resolve("%f") + "\"";
        return "if [ -f " + f + " ]; then cmp -s \"%p\" " + f + "; else cp \"%p\" " + f + ".tmp && sync " + f
                + ".tmp && mv " + f + ".tmp " + f + "; fi";
    }
}
