package io.stratus.agent.backups;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.computes.ComputeBackups.RestoreProgress;
import io.stratus.agent.tasks.TaskFailure;
import io.stratus.postgres.PostgresCluster;
import io.stratus.protocol.RestoreSpec;
import io.stratus.agent.computes.SqlText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Restores new computes' data directories from backups, in the background (the reconcile thread serves every compute
 * of the node and must not wait minutes for one). Each restore works in {@code restores/<computeId>}, which is emptied
 * when it starts: one cut short by a crash starts over. Only a restored, recovered and renamed cluster is moved into
 * {@code computes/<id>/pgdata}, in one rename: the reconciler sees all of it or nothing.
 */
@Component
class Restores implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Restores.class);

    private final AgentPaths paths;
    private final BackupMaterializer materializer;
    private final Map<UUID, RestoreProgress> progress = new ConcurrentHashMap<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "restore");
        t.setDaemon(true);
        return t;
    });

    Restores(AgentPaths paths, BackupMaterializer materializer) {
        this.paths = paths;
        this.materializer = materializer;
    }

    RestoreProgress restore(UUID computeId, RestoreSpec spec, String databaseName, String ownerRole, Path pgdata,
                            Runnable whenDone) {
        RestoreProgress now = progress.get(computeId);
        if (now instanceof RestoreProgress.Failed || now instanceof RestoreProgress.Done) {
            // Reported once: a failure's next attempt (after the reconciler's backoff) starts over; once done, the data
            // directory is there and nobody asks again.
            progress.remove(computeId);
            return now;
        }
        if (now != null) {
            return now;
        }
        if (Files.exists(pgdata.resolve("PG_VERSION"))) {
            return new RestoreProgress.Done();
        }
        RestoreProgress.Running started = new RestoreProgress.Running("restoring from backup " + spec.backupId());
        progress.put(computeId, started);
        executor.execute(() -> {
            try {
                run(computeId, spec, databaseName, ownerRole, pgdata);
                progress.put(computeId, new RestoreProgress.Done());
            } catch (Exception e) {
                String message = e instanceof TaskFailure f ? f.reasonCode() + ": " + f.getMessage()
                        : e.getClass().getSimpleName() + ": " + e.getMessage();
                log.warn("restore of compute {} from backup {} failed: {}", computeId, spec.backupId(), message);
                progress.put(computeId, new RestoreProgress.Failed(message));
            } finally {
                whenDone.run();
            }
        });
        return started;
    }

    private void run(UUID computeId, RestoreSpec spec, String databaseName, String ownerRole, Path pgdata)
            throws Exception {
        Path work = paths.dataDir().resolve("restores").resolve(computeId.toString());
        long started = System.nanoTime();
        BackupMaterializer.Materialized m = materializer.download(spec.sourceComputeId(), spec.backupId(),
                spec.targetTime(), work, percent -> progress.put(computeId,
                        new RestoreProgress.Running("restoring from backup " + spec.backupId() + ": " + percent + "%")));
        progress.put(computeId, new RestoreProgress.Running("replaying WAL of backup " + spec.backupId()
                + (spec.targetTime() != null ? " to " + spec.targetTime() : "")));
        PostgresCluster cluster = materializer.recover(m, spec.targetTime());
        try {
            rename(cluster, spec, databaseName, ownerRole);
            cluster.stop();
            PostgresCluster.deleteRecursively(m.wal());
            Path computeDir = pgdata.getParent();
            if (!Files.isDirectory(computeDir)) {
                Files.createDirectories(computeDir.getParent());
                Files.createDirectory(computeDir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx--x--x")));
            }
            Files.move(m.pgdata(), pgdata, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            log.info("restored compute {} from backup {}{} in {} ms", computeId, spec.backupId(),
                    spec.targetTime() != null ? " to " + spec.targetTime() : "",
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            BackupMaterializer.discard(cluster, work);
        }
    }

    /** The backup's database and owner take the new database's names; the reconciler then sets the owner's password. */
    private static void rename(PostgresCluster cluster, RestoreSpec spec, String databaseName, String ownerRole)
            throws Exception {
        try (Connection c = ComputeConventions.maintenanceConnection(cluster, "stratus-restore", 60);
             Statement st = c.createStatement()) {
            if (!spec.sourceDatabaseName().equals(databaseName)) {
                st.execute("ALTER DATABASE " + SqlText.identifier(spec.sourceDatabaseName()) + " RENAME TO "
                        + SqlText.identifier(databaseName));
            }
            if (!spec.sourceOwnerRole().equals(ownerRole)) {
                st.execute("ALTER ROLE " + SqlText.identifier(spec.sourceOwnerRole()) + " RENAME TO "
                        + SqlText.identifier(ownerRole));
            }
        }
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }
}
