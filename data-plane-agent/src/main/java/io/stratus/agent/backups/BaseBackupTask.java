package io.stratus.agent.backups;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.agent.tasks.TaskFailure;
import io.stratus.agent.tasks.TaskType;
import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.protocol.BackupKeys;
import io.stratus.protocol.WalNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code backup}: a physical base backup of the compute into the backup store.
 *
 * <p>A running compute is copied hot through Postgres' non-exclusive backup API on one connection held throughout
 * ({@code pg_backup_start}, the files, {@code pg_backup_stop} waiting for its last WAL segment to be archived;
 * {@code backup_label} and {@code tablespace_map} stored from what pg_backup_stop returns), then waits until every WAL
 * segment from the backup's start to its stop is in the store. A stopped (suspended) compute is copied cold, WAL
 * included, without waking it: its data directory is at rest, so the copy is consistent as it is (checked: the
 * postmaster must not have started and pg_control must not have changed while it was copied).
 *
 * <p>Each file is stored with its SHA-256 in the manifest, written last: until then the backup is not there. Any
 * failure deletes what was stored; a run cut short by an agent crash is failed, not resumed (its objects are the
 * control plane's to expire).
 */
@Component
class BaseBackupTask implements TaskType<BaseBackupTask.Parameters> {

    static final String NAME = "backup";
    private static final Logger log = LoggerFactory.getLogger(BaseBackupTask.class);
    /** pg_backup_stop waits for the archiver: bounded, so a broken archive command fails the backup instead. */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SHIP_TIMEOUT = Duration.ofMinutes(2);
    private static final int COPY_THREADS = 2;

    record Parameters(UUID backupId) {
    }

    private final AgentPaths paths;
    private final AgentBackupStore stores;
    private final WalShipper shipper;
    private final JsonMapper json;
    private final Clock clock;

    BaseBackupTask(AgentPaths paths, AgentBackupStore stores, WalShipper shipper, JsonMapper json, Clock clock) {
        this.paths = paths;
        this.stores = stores;
        this.shipper = shipper;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<Parameters> parameters() {
        return Parameters.class;
    }

    @Override
    public boolean resumable() {
        return false;
    }

    @Override
    public Outcome run(UUID computeId, Optional<RunningCompute> compute, Parameters parameters, Progress progress)
            throws Exception {
        if (parameters.backupId() == null) {
            throw new TaskFailure("invalid-parameters", "backupId is required");
        }
        BackupStore store = stores.require();
        ComputeOnDisk onDisk = ComputeOnDisk.read(paths, json, computeId);
        try {
            BackupManifest manifest = compute.isPresent()
                    ? hot(store, computeId, compute.get(), onDisk, parameters.backupId(), progress)
                    : cold(store, computeId, onDisk, parameters.backupId(), progress);
            String manifestKey = BackupKeys.manifest(computeId, parameters.backupId());
            byte[] manifestBytes = json.writeValueAsBytes(manifest);
            store.put(manifestKey, new java.io.ByteArrayInputStream(manifestBytes), manifestBytes.length);
            return new Outcome(manifest.method() + " backup of " + manifest.files().size() + " files, "
                    + manifest.sizeBytes() + " bytes, WAL " + manifest.startWal() + " to " + manifest.stopWal(),
                    result(manifest, manifestKey, clock.instant()));
        } catch (BackupStoreException e) {
            discard(store, computeId, parameters.backupId());
            throw AgentBackupStore.failure(e);
        } catch (Exception e) {
            discard(store, computeId, parameters.backupId());
            throw e;
        }
    }

    private BackupManifest hot(BackupStore store, UUID computeId, RunningCompute compute, ComputeOnDisk onDisk,
                               UUID backupId, Progress progress) throws Exception {
        Path pgdata = compute.cluster().dataDir();
        Instant startedAt = clock.instant();
        try (Connection c = ComputeConventions.maintenanceConnection(compute.cluster(), "stratus-backup", 0);
             Statement st = c.createStatement()) {
            requireArchiving(st);
            long t0 = System.nanoTime();
            String startLsn = single(st, "SELECT pg_backup_start('stratus " + backupId + "', true)::text");
            long started = System.nanoTime();
            long timeline = Long.parseLong(single(st, "SELECT timeline_id FROM pg_control_checkpoint()"));
            String startWal = WalNames.segmentOf(startLsn, timeline);
            DataDirectoryListing.Listing listing = DataDirectoryListing.of(pgdata, true);
            List<BackupManifest.Entry> files = copy(store, computeId, backupId, pgdata, listing, progress);
            long copied = System.nanoTime();
            st.execute("SET statement_timeout = '" + STOP_TIMEOUT.toSeconds() + "s'");
            String stopLsn;
            String label;
            String spcmap;
            try (ResultSet rs = st.executeQuery(
                    "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(wait_for_archive => true)")) {
                rs.next();
                stopLsn = rs.getString(1);
                label = rs.getString(2);
                spcmap = rs.getString(3);
            }
            Instant stoppedAt = clock.instant();
            files.add(StoredFile.put(store, BackupKeys.dataFile(computeId, backupId, "backup_label"),
                    label.getBytes(StandardCharsets.UTF_8), "backup_label"));
            if (spcmap != null && !spcmap.isEmpty()) {
                files.add(StoredFile.put(store, BackupKeys.dataFile(computeId, backupId, "tablespace_map"),
                        spcmap.getBytes(StandardCharsets.UTF_8), "tablespace_map"));
            }
            String stopWal = WalNames.segmentOf(stopLsn, timeline);
            long stopped = System.nanoTime();
            awaitArchived(store, computeId, startWal, stopWal);
            progress.report(99);
            // Where the time went, for the operator: the start's checkpoint, the copy, the stop and the WAL it waits for.
            log.info("hot backup {} of compute {}: checkpoint {} ms, copy {} ms, stop {} ms, WAL to the store {} ms",
                    backupId, computeId, (started - t0) / 1_000_000, (copied - started) / 1_000_000,
                    (stopped - copied) / 1_000_000, (System.nanoTime() - stopped) / 1_000_000);
            return new BackupManifest(BackupManifest.VERSION, backupId, computeId, "hot",
                    compute.cluster().release().version(), timeline, startLsn, stopLsn, startWal, stopWal, startedAt,
                    stoppedAt, onDisk.databaseName(), onDisk.ownerRole(), listing.directories(), files);
        }
    }

    private static void requireArchiving(Statement st) throws SQLException, TaskFailure {
        if (single(st, "SELECT pg_is_in_recovery()::text").equals("true")) {
            throw new TaskFailure("read-only-compute", "the compute is read-only (over its storage limit): it writes "
                    + "no WAL of its own to archive; back it up once it is writable, or suspend it for a cold copy");
        }
        if (!single(st, "SHOW archive_mode").equals("on")) {
            throw new TaskFailure("archiving-failed", "the compute does not archive its WAL yet: archive_mode takes "
                    + "effect at its next start (suspend and resume it, or back it up while suspended)");
        }
    }

    private BackupManifest cold(BackupStore store, UUID computeId, ComputeOnDisk onDisk, UUID backupId,
                                Progress progress) throws Exception {
        Path pgdata = paths.pgdata(computeId);
        Instant startedAt = clock.instant();
        byte[] controlBefore = Files.readAllBytes(pgdata.resolve("global").resolve("pg_control"));
        requireAtRest(pgdata);
        ControlFile control = ControlFile.read(pgdata);
        DataDirectoryListing.Listing listing = DataDirectoryListing.of(pgdata, false);
        List<BackupManifest.Entry> files = copy(store, computeId, backupId, pgdata, listing, progress);
        requireAtRest(pgdata);
        if (!Arrays.equals(controlBefore, Files.readAllBytes(pgdata.resolve("global").resolve("pg_control")))) {
            throw new TaskFailure("compute-woke", "the compute started while it was being copied; the copy is "
                    + "discarded (a backup of it running is taken hot)");
        }
        String lsn = control.checkpointLsn();
        String wal = WalNames.segmentOf(lsn, control.timeline());
        if (control.state() != ControlFile.SHUT_DOWN) {
            log.warn("cold backup of compute {} whose last shutdown was not clean (state {}): a restore replays its WAL",
                    computeId, control.state());
        }
        return new BackupManifest(BackupManifest.VERSION, backupId, computeId, "cold", onDisk.release(),
                control.timeline(), lsn, lsn, wal, wal, startedAt, control.time(), onDisk.databaseName(),
                onDisk.ownerRole(), listing.directories(), files);
    }

    private static void requireAtRest(Path pgdata) throws TaskFailure {
        if (Files.exists(pgdata.resolve("postmaster.pid"))) {
            throw new TaskFailure("compute-woke", "the compute's postmaster runs (it woke up): a cold copy would not "
                    + "be consistent");
        }
    }

    /**
     * Stores the files on {@link #COPY_THREADS} threads: a data directory is mostly small catalog files, each a put
     * (and, in a directory store, an fsync) of its own. The manifest lists them in the listing's order.
     */
    private List<BackupManifest.Entry> copy(BackupStore store, UUID computeId, UUID backupId, Path pgdata,
                                            DataDirectoryListing.Listing listing, Progress progress) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(COPY_THREADS, r -> {
            Thread t = new Thread(r, "backup-copy");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Optional<BackupManifest.Entry>>> copies = new ArrayList<>();
            for (String file : listing.files()) {
                copies.add(pool.submit(() -> StoredFile.put(store, BackupKeys.dataFile(computeId, backupId, file),
                        pgdata.resolve(file), file)));
            }
            List<BackupManifest.Entry> files = new ArrayList<>();
            int done = 0;
            for (Future<Optional<BackupManifest.Entry>> copy : copies) {
                try {
                    copy.get().ifPresent(files::add);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
                done++;
                progress.report(done * 95 / Math.max(1, copies.size()));
            }
            return files;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every segment from the backup's first to its last is in the store, its spool shipped first. */
    private void awaitArchived(BackupStore store, UUID computeId, String startWal, String stopWal)
            throws Exception {
        long first = WalNames.segmentNumber(startWal);
        long last = WalNames.segmentNumber(stopWal);
        long timeline = WalNames.timelineOf(startWal);
        Instant deadline = clock.instant().plus(SHIP_TIMEOUT);
        Set<String> missing;
        while (true) {
            shipper.ship(computeId);
            Set<String> stored = store.list(BackupKeys.wal(computeId)).stream()
                    .map(o -> o.key().substring(o.key().lastIndexOf('/') + 1))
                    .filter(WalNames::isSegment).collect(Collectors.toSet());
            missing = new java.util.TreeSet<>();
            for (long n = first; n <= last; n++) {
                String name = WalNames.segmentName(timeline, n);
                if (!stored.contains(name)) {
                    missing.add(name);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (clock.instant().isAfter(deadline)) {
                throw new TaskFailure("archiving-failed", "WAL the backup needs is not in the store after "
                        + SHIP_TIMEOUT + ": " + missing);
            }
            Thread.sleep(100);
        }
    }

    private static void discard(BackupStore store, UUID computeId, UUID backupId) {
        try {
            store.delete(store.list(BackupKeys.base(computeId, backupId)).stream().map(o -> o.key()).toList());
        } catch (Exception e) {
            log.warn("cannot delete the objects of failed backup {}: {}", backupId, e.getMessage());
        }
    }

    private static Map<String, Object> result(BackupManifest m, String manifestKey, Instant finishedAt) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("method", m.method());
        r.put("release", m.release());
        r.put("timeline", m.timeline());
        r.put("startLsn", m.startLsn());
        r.put("stopLsn", m.stopLsn());
        r.put("startWal", m.startWal());
        r.put("stopWal", m.stopWal());
        r.put("startedAt", m.startedAt().toString());
        r.put("stoppedAt", m.stoppedAt().toString());
        r.put("finishedAt", finishedAt.toString());
        r.put("sizeBytes", m.sizeBytes());
        r.put("files", m.files().size());
        r.put("manifestKey", manifestKey);
        return r;
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
