package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;

/**
 * The steps about a compute's data directory: which Postgres release runs it, and that it holds an initialised cluster.
 * A data directory is never re-created once its compute was applied, and never changes major version in place.
 */
final class DataDirectorySteps {

    private final AgentPaths paths;
    private final ReleaseCatalog releases;
    private final WarmPool pool;
    private final OsUser user;
    private final ComputeBackups backups;
    private final Runnable reconcileAgain;

    DataDirectorySteps(AgentPaths paths, ReleaseCatalog releases, WarmPool pool, OsUser user, ComputeBackups backups,
                       Runnable reconcileAgain) {
        this.paths = paths;
        this.releases = releases;
        this.pool = pool;
        this.user = user;
        this.backups = backups;
        this.reconcileAgain = reconcileAgain;
    }

    /** The release the spec asks for; it must be able to run the data directory already on disk, if any. */
    PostgresRelease releaseFor(ComputeSpec spec) {
        PostgresRelease release = releases.find(spec.release()).orElseThrow(() -> new ComputeFailure(
                "no Postgres release matching '" + spec.release() + "' on this node (it has "
                        + releases.available().stream().map(PostgresRelease::version).toList() + ")"));
        OptionalInt onDisk = majorOnDisk(paths.pgdata(spec.computeId()));
        if (onDisk.isPresent() && onDisk.getAsInt() != release.major()) {
            throw new ComputeFailure("data directory holds Postgres " + onDisk.getAsInt() + " but the spec asks for "
                    + spec.release() + ": major versions are not changed in place");
        }
        return release;
    }

    /**
     * Makes sure {@code computes/<id>/pgdata} holds an initialised cluster: already there, claimed from the warm pool,
     * or made by initdb on the spot.
     */
    StepResult ensureDataDirectory(Compute c, ComputeSpec spec, PostgresRelease release) {
        Path computeDir = paths.compute(c.id);
        PostgresCluster wanted = new PostgresCluster(release, paths.pgdata(c.id), user);
        if (wanted.isInitialised()) {
            user.ensureCanTraverse(wanted.dataDir());
            PostgresCluster previous = c.cluster;
            c.cluster = wanted;
            if (previous == null || previous.release().equals(release)) {
                return StepResult.UNCHANGED;
            }
            // Same major, other binaries: stop with the binaries that started it; ensureRunning starts the new ones.
            previous.stop();
            return new StepResult.Changed("release " + previous.release().version() + " -> " + release.version());
        }
        if (c.applied != null) {
            // Re-creating it would hand the tenant an empty database in place of the lost one.
            throw new ComputeFailure("data directory " + wanted.dataDir() + " is missing or incomplete although the "
                    + "compute was applied before; not re-creating it empty");
        }
        if (spec.restore() != null) {
            return restored(c, spec, wanted);
        }
        // Never applied, so anything here is the remains of a crash mid-creation: nobody's data.
        PostgresCluster.deleteRecursively(computeDir);
        if (pool.claim(release, computeDir)) {
            c.cluster = wanted;
            return new StepResult.Created("claimed a warm-pool cluster");
        }
        try {
            Files.createDirectories(computeDir.getParent());
            Files.createDirectory(computeDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (IOException e) {
            throw new ComputeFailure("cannot create " + computeDir + ": " + e.getMessage());
        }
        wanted.initdb(ComputeConventions.SUPERUSER, null, true);
        c.cluster = wanted;
        return new StepResult.Created("initdb (warm pool had no Postgres " + release.major() + " cluster)");
    }

    /**
     * A compute made from a backup: its data directory is restored in the background (it may take minutes, and the
     * reconcile thread serves every compute of the node); until then the compute is pending, not failed.
     */
    private StepResult restored(Compute c, ComputeSpec spec, PostgresCluster wanted) {
        ComputeBackups.RestoreProgress progress = backups.restore(c.id, spec.restore(), spec.databaseName(),
                spec.ownerRole(), wanted.dataDir(), reconcileAgain);
        if (progress instanceof ComputeBackups.RestoreProgress.Running running) {
            throw new ComputePending(running.what());
        }
        if (progress instanceof ComputeBackups.RestoreProgress.Failed failed) {
            throw new ComputeFailure("restore failed: " + failed.message());
        }
        if (!wanted.isInitialised()) {
            throw new ComputeFailure("restore reported done but " + wanted.dataDir() + " holds no cluster");
        }
        user.ensureCanTraverse(wanted.dataDir());
        c.cluster = wanted;
        return new StepResult.Created("restored from backup " + spec.restore().backupId()
                + (spec.restore().targetTime() != null ? " to " + spec.restore().targetTime() : ""));
    }

    static OptionalInt majorOnDisk(Path pgdata) {
        try {
            Path version = pgdata.resolve("PG_VERSION");
            return Files.exists(version)
                    ? OptionalInt.of(Integer.parseInt(Files.readString(version).trim().split("\\.")[0]))
                    : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
