package io.stratus.agent.backups;

import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.agent.tasks.TaskFailure;
import io.stratus.agent.tasks.TaskType;
import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.backupstore.StoredObject;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ProcessRunner;
import io.stratus.postgres.SocketDirs;
import io.stratus.protocol.BackupKeys;
import io.stratus.protocol.WalNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a backup in the store back into a running cluster in a directory of the node's: every file downloaded and
 * checked against the SHA-256 in its manifest (a changed byte fails the restore, naming the file), the WAL it needs
 * laid out for {@code restore_command}, then Postgres' own archive recovery up to the end of the backup or a point in
 * time, and promotion. Used by restores (the directory becomes a new compute's) and by verification (it is thrown
 * away).
 */
@Component
class BackupMaterializer {

    /** Recovery replays WAL at disk speed; a generous bound so that a stuck recovery still ends. */
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);
    /** pg_ctl -W returns before the postmaster has written its pid file. */
    private static final Duration START_GRACE = Duration.ofSeconds(5);

    private final AgentBackupStore stores;
    private final ReleaseCatalog releases;
    private final OsUser user;
    private final JsonMapper json;

    BackupMaterializer(AgentBackupStore stores, ReleaseCatalog releases, OsUser user, JsonMapper json) {
        this.stores = stores;
        this.releases = releases;
        this.user = user;
        this.json = json;
    }

    /** A backup laid out in {@code work}: its data directory and the WAL recovery may ask for. */
    /**
     * @param archivedThrough an instant every commit before which is in {@code wal}: the newest segment's time in the
     *                        store less {@link WalNames#ARCHIVE_LAG}, or the backup's consistent point
     */
    record Materialized(BackupManifest manifest, Path pgdata, Path wal, PostgresRelease release,
                        Instant archivedThrough) {
    }


    /**
     * Downloads backup {@code backupId} of compute {@code sourceComputeId} into {@code work/pgdata} and the WAL up to
     * {@code targetTime} (null: to the backup's end) into {@code work/wal}. {@code work} is emptied first.
     */
    Materialized download(UUID sourceComputeId, UUID backupId, Instant targetTime, Path work,
                          TaskType.Progress progress) throws TaskFailure, IOException {
        BackupStore store = stores.require();
        try {
            PostgresCluster.deleteRecursively(work);
            Files.createDirectories(work);
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
            BackupManifest manifest;
            try (InputStream in = store.get(BackupKeys.manifest(sourceComputeId, backupId))) {
                manifest = json.readValue(in, BackupManifest.class);
            } catch (BackupStoreException e) {
                if (e.reason() == BackupStoreException.Reason.MISSING) {
                    throw new TaskFailure("missing-file", "backup " + backupId + " has no manifest in "
                            + store.describe() + ": it never completed, or was deleted");
                }
                throw e;
            }
            PostgresRelease release = releaseFor(manifest);
            Path pgdata = work.resolve("pgdata");
            Files.createDirectory(pgdata, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            for (String dir : manifest.directories()) {
                Files.createDirectories(pgdata.resolve(dir));
            }
            long total = Math.max(1, manifest.sizeBytes());
            long done = 0;
            for (BackupManifest.Entry file : manifest.files()) {
                fetch(store, BackupKeys.dataFile(sourceComputeId, backupId, file.path()), pgdata.resolve(file.path()),
                        file);
                done += file.size();
                progress.report((int) (done * 80 / total));
            }
            Path wal = work.resolve("wal");
            Files.createDirectories(wal);
            Instant archivedThrough = manifest.stoppedAt();
            for (StoredObject o : walNeeded(store, sourceComputeId, manifest, targetTime)) {
                try (InputStream in = store.get(o.key())) {
                    Files.copy(in, wal.resolve(fileName(o)));
                }
                if (WalNames.isSegment(fileName(o)) && o.lastModified().minus(WalNames.ARCHIVE_LAG).isAfter(archivedThrough)) {
                    archivedThrough = o.lastModified().minus(WalNames.ARCHIVE_LAG);
                }
            }
            progress.report(85);
            user.own(work);
            return new Materialized(manifest, pgdata, wal, release, archivedThrough);
        } catch (BackupStoreException e) {
            throw AgentBackupStore.failure(e);
        }
    }

    /**
     * Starts the downloaded cluster in archive recovery on a socket of its own, and waits until it has replayed to its
     * target and been promoted. Fails with the server's own words when it cannot get there (WAL missing, a target
     * before the backup's end).
     */
    PostgresCluster recover(Materialized m, Instant targetTime) throws TaskFailure, IOException {
        try {
            // A cold copy is consistent at its start: "immediate" would find nothing to reach and fail; it replays
            // what its own pg_wal holds after the shutdown checkpoint (nothing) and is promoted.
            return recover(m, targetTime, !m.manifest().method().equals("cold"));
        } catch (TaskFailure e) {
            // Nothing was committed after the target in all the WAL archived: replay stops at the end of it without
            // having seen the target pass. If the newest segment was switched after the target, every commit up to the
            // target is in that WAL and its end is the database as it was at the target: replay to it. Otherwise
            // commits may be missing (not archived yet): refuse rather than hand back less than was asked for.
            if (targetTime == null || !e.getMessage().contains(TARGET_NOT_REACHED)) {
                throw e;
            }
            if (targetTime.isAfter(m.archivedThrough())) {
                throw new TaskFailure("target-not-archived", "the WAL archived so far ends before " + targetTime
                        + ": the latest instant it holds for certain is " + m.archivedThrough());
            }
            return recover(m, null, false);
        }
    }

    /** Postgres' own form (its recovery_target_time check refuses ISO's T and Z), to the microsecond it keeps. */
    private static final java.time.format.DateTimeFormatter TARGET_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(java.time.ZoneOffset.UTC);

    private static final String TARGET_NOT_REACHED = "recovery ended before configured recovery target was reached";

    private PostgresCluster recover(Materialized m, Instant targetTime, boolean stopAtTarget)
            throws TaskFailure, IOException {
        PostgresCluster cluster = new PostgresCluster(m.release(), m.pgdata(), user);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("port", "5432");
        settings.put("listen_addresses", "");
        settings.put("unix_socket_directories", SocketDirs.forData(m.pgdata().getParent()).toString());
        settings.put("unix_socket_permissions", "0700");
        // Recovery needs max_connections and friends at least as large as the source's: the source's own values.
        cluster.setting("max_connections").ifPresent(v -> settings.put("max_connections", v));
        cluster.setting("shared_buffers").ifPresent(v -> settings.put("shared_buffers", v));
        settings.put("shared_preload_libraries", "");
        settings.put("archive_mode", "off");
        settings.put("hot_standby", "off");
        settings.put("restore_command", "cp \"" + m.wal() + "/%f\" \"%p\"");
        settings.put("recovery_target_action", "promote");
        settings.put("recovery_target_timeline", "latest");
        if (targetTime != null) {
            settings.put("recovery_target_time", TARGET_TIME.format(targetTime));
        } else if (stopAtTarget) {
            settings.put("recovery_target", "immediate");
        }
        settings.put("timezone", "UTC");
        settings.put("log_timezone", "UTC");
        cluster.writeSettings(settings);
        Path signal = m.pgdata().resolve("recovery.signal");
        Files.writeString(signal, "");
        user.own(signal);
        Path sockets = SocketDirs.forData(m.pgdata().getParent());
        Files.createDirectories(sockets);
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwx------"));
        user.own(sockets);
        ProcessRunner.Result started = ProcessRunner.run(user.command(List.of(m.release().pgCtl().toString(), "-D",
                m.pgdata().toString(), "-l", m.pgdata().resolve("postgres.log").toString(), "-W", "start")),
                PG_CTL_TIMEOUT);
        if (!started.ok()) {
            throw new TaskFailure("recovery-failed", "cannot start recovery: " + started.output() + cluster.logTail());
        }
        awaitPromoted(cluster);
        return cluster;
    }

    /** Stops it and deletes the directory. */
    static void discard(PostgresCluster cluster, Path work) {
        try {
            if (cluster != null) {
                cluster.stop();
            }
        } catch (RuntimeException ignored) {
            // the directory goes anyway; a postmaster left behind dies with its files' removal at the next start
        }
        PostgresCluster.deleteRecursively(work);
    }

    private void awaitPromoted(PostgresCluster cluster) throws TaskFailure {
        long started = System.nanoTime();
        Path pidFile = cluster.dataDir().resolve("postmaster.pid");
        Path signal = cluster.dataDir().resolve("recovery.signal");
        while (System.nanoTime() - started < RECOVERY_TIMEOUT.toNanos()) {
            List<String> lines = lines(pidFile);
            // With hot_standby off the postmaster says "ready" only once recovery is over; the signal file goes at
            // promotion.
            if (lines.size() >= 8 && "ready".equals(lines.get(7).trim()) && !Files.exists(signal)) {
                return;
            }
            if (!cluster.isRunning() && System.nanoTime() - started > START_GRACE.toNanos()) {
                throw new TaskFailure("recovery-failed", "recovery ended without reaching its target:\n"
                        + cluster.logTail());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cluster.stop();
                throw new TaskFailure("interrupted", "recovery interrupted");
            }
        }
        cluster.stop();
        throw new TaskFailure("recovery-failed", "recovery not done after " + RECOVERY_TIMEOUT + ":\n"
                + cluster.logTail());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    private PostgresRelease releaseFor(BackupManifest manifest) throws TaskFailure {
        return releases.find(manifest.release())
                .or(() -> releases.find(manifest.release().split("\\.")[0]))
                .orElseThrow(() -> new TaskFailure("no-release", "no Postgres " + manifest.release()
                        + " (or another of its major) on this node to restore the backup with"));
    }

    /** Downloads one file, failing when its bytes are not the ones the manifest recorded. */
    private static void fetch(BackupStore store, String key, Path target, BackupManifest.Entry file)
            throws IOException, TaskFailure {
        MessageDigest digest = StoredFile.sha256();
        long size;
        try (InputStream in = new DigestInputStream(store.get(key), digest);
             OutputStream out = Files.newOutputStream(target)) {
            size = in.transferTo(out);
        } catch (BackupStoreException e) {
            if (e.reason() == BackupStoreException.Reason.MISSING) {
                throw new TaskFailure("missing-file", "the backup's file " + file.path() + " is missing from the store");
            }
            throw e;
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (size != file.size() || !sha.equals(file.sha256())) {
            throw new TaskFailure("checksum-mismatch", "the backup's file " + file.path() + " in the store is not "
                    + "what was backed up (" + size + " bytes, SHA-256 " + sha + "; the manifest says " + file.size()
                    + " bytes, " + file.sha256() + ")");
        }
    }

    /**
     * The WAL a recovery to {@code targetTime} needs: every timeline history, and the segments from the backup's first
     * on, up to the first one archived after the target (which holds the target's commits; an archived segment
     * holds nothing written after it was archived). Without a target, up to the backup's last segment.
     */
    private static List<StoredObject> walNeeded(BackupStore store, UUID computeId, BackupManifest manifest,
                                                Instant targetTime) throws BackupStoreException {
        long first = WalNames.segmentNumber(manifest.startWal());
        long last = WalNames.segmentNumber(manifest.stopWal());
        List<StoredObject> needed = new ArrayList<>();
        for (StoredObject o : store.list(BackupKeys.wal(computeId))) {
            String name = fileName(o);
            if (WalNames.isHistory(name)) {
                needed.add(o);
            } else if (WalNames.isSegment(name) && WalNames.segmentNumber(name) >= first
                    && (targetTime != null || WalNames.segmentNumber(name) <= last)) {
                // Which segment holds the first commit after a target time only the replay finds out: all of them.
                needed.add(o);
            }
        }
        return needed;
    }

    private static String fileName(StoredObject o) {
        return o.key().substring(o.key().lastIndexOf('/') + 1);
    }
}
