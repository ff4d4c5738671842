package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.capacity.CapacityUnit;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupException;
import io.stratus.agent.capacity.CgroupLimits;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.SocketDirs;
import io.stratus.protocol.ComputeSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The idempotent steps that bring one compute to its spec. Each looks before it acts and says what it did; none
 * remembers anything between calls beyond what it finds on disk and in the {@link Compute}.
 */
final class ComputeSteps {

    /** A reload is asynchronous: give the postmaster this long to pick up a new pg_hba.conf before calling it failed. */
    private static final int VERIFY_ATTEMPTS = 10;
    private static final Duration VERIFY_PAUSE = Duration.ofMillis(200);

    private final String address;
    private final AgentPaths paths;
    private final ReleaseCatalog releases;
    private final WarmPool pool;
    private final OsUser user;
    private final OwnerAccess owner;
    private final LoginProbe probe;
    private final CgroupDriver cgroups;
    private final CapacityUnit unit;
    private final PortKeeper ports;

    ComputeSteps(String address, AgentPaths paths, ReleaseCatalog releases, WarmPool pool, OsUser user,
                 OwnerAccess owner, LoginProbe probe, CgroupDriver cgroups, CapacityUnit unit, PortKeeper ports) {
        this.address = address;
        this.paths = paths;
        this.releases = releases;
        this.pool = pool;
        this.user = user;
        this.owner = owner;
        this.probe = probe;
        this.cgroups = cgroups;
        this.unit = unit;
        this.ports = ports;
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
     * Writes the settings and pg_hba.conf the spec calls for. A running compute reloads; the settings sized from the
     * CU range ({@link ComputeConfig#SIZED_AT_START}) wait for its next start. If another postmaster-only setting
     * changed (its port, its preloaded libraries) it is stopped first, so that a crash in between never leaves an old postmaster behind settings that look
     * applied, and {@link #ensureRunning} starts it again.
     *
     * @param unapplied the spec differs from the one last applied in full: reload even when the files already match,
     *                  in case an earlier pass wrote them and died before its reload
     */
    StepResult ensureConfigured(Compute c, ComputeSpec spec, boolean unapplied) {
        PostgresCluster cluster = c.cluster;
        ComputeConfig config = ComputeConfig.of(spec, address, SocketDirs.forData(paths.compute(c.id)),
                ReleaseCatalog.hasLibrary(cluster.release(), ComputeConfig.STAT_STATEMENTS), unit);
        Map<String, Optional<String>> current = new LinkedHashMap<>();
        for (String name : config.namesToCompare()) {
            current.put(name, cluster.setting(name));
        }
        Set<String> changed = config.changedFrom(current);
        boolean hbaChanged = !config.hba().equals(readHba(cluster));
        boolean running = cluster.isRunning();
        if (changed.isEmpty() && !hbaChanged) {
            if (unapplied && running) {
                cluster.reload();
                return new StepResult.Changed("reloaded configuration");
            }
            return StepResult.UNCHANGED;
        }
        Set<String> needRestart = new TreeSet<>(changed);
        needRestart.retainAll(ComputeConfig.RESTART_ONLY);
        Set<String> atNextStart = new TreeSet<>(needRestart);
        atNextStart.retainAll(ComputeConfig.SIZED_AT_START);
        needRestart.removeAll(ComputeConfig.SIZED_AT_START);
        boolean restart = running && !needRestart.isEmpty();
        if (restart) {
            cluster.stop();
        }
        if (!changed.isEmpty()) {
            cluster.writeSettings(config.settings());
        }
        if (hbaChanged) {
            cluster.writeHba(config.hba());
        }
        if (running && !restart) {
            cluster.reload();
        }
        String what = (changed.isEmpty() ? "" : "settings " + changed) + (hbaChanged ? (changed.isEmpty() ? "" : ", ") + "pg_hba.conf" : "");
        return new StepResult.Changed(what + (restart ? "; stopped to apply " + needRestart : running ? "; reloaded" : "")
                + (running && !restart && !atNextStart.isEmpty() ? "; " + atNextStart + " take effect at the next start" : ""));
    }

    StepResult ensureRunning(Compute c) {
        if (c.cluster.isRunning()) {
            return StepResult.UNCHANGED;
        }
        // The port kept while the compute was stopped is the postmaster's again.
        ports.release(c.id);
        c.cluster.start();
        return new StepResult.Changed("started postmaster " + c.cluster.postmasterPid().map(String::valueOf).orElse("?"));
    }

    StepResult ensureStopped(Compute c) {
        if (!c.cluster.isRunning()) {
            return StepResult.UNCHANGED;
        }
        c.cluster.stop();
        return new StepResult.Changed("stopped postmaster");
    }

    /**
     * A stopped compute's port stays bound by the agent ({@link PortKeeper}) until the postmaster starts again.
     *
     * @throws ComputeFailure another process holds the port; the compute is stopped as asked, but cannot resume until
     *                        the port is free
     */
    StepResult ensurePortKept(Compute c, int port) {
        try {
            return ports.hold(c.id, port);
        } catch (IOException e) {
            throw new ComputeFailure("port " + port + " is taken by another process (" + e.getMessage()
                    + "); the compute cannot resume until it is free");
        }
    }

    /** Lets a compute's kept port go (the compute is deleted). */
    void releasePort(Compute c) {
        ports.release(c.id);
    }

    /**
     * Makes the compute's cgroup enforce {@code cu}: the group exists, its limits are {@code cu}'s, and while the
     * postmaster runs, it and every process forked from it are in the group. Looks before it writes, so a compute
     * with everything in place costs a few small reads. {@link Compute#enforcement} says {@code none} unless this
     * succeeded.
     */
    StepResult ensureCapacity(Compute c, BigDecimal cu) {
        c.enforcement = CgroupDriver.NONE;
        if (!cgroups.enforces()) {
            return StepResult.UNCHANGED;
        }
        List<String> done = new ArrayList<>();
        try {
            CgroupLimits limits = unit.limits(cu);
            if (cgroups.applyLimits(c.id, limits)) {
                done.add("limits for " + cu.stripTrailingZeros().toPlainString() + " CU (cpu " + limits.cpuQuotaMicros()
                        + "/" + limits.cpuPeriodMicros() + " us, memory " + limits.memoryBytes() + " bytes)");
            }
            Optional<Long> postmaster = c.cluster.postmasterPid();
            if (postmaster.isPresent()) {
                int moved = cgroups.enroll(c.id, postmaster.get());
                if (moved > 0) {
                    done.add("moved postmaster " + postmaster.get() + (moved > 1 ? " and " + (moved - 1) + " children" : "")
                            + " into its group");
                }
            }
        } catch (CgroupException e) {
            throw new ComputeFailure("cannot enforce " + cu.stripTrailingZeros().toPlainString() + " CU with "
                    + cgroups.enforcement() + ": " + e.getMessage());
        }
        c.enforcement = cgroups.enforcement();
        return done.isEmpty() ? StepResult.UNCHANGED : new StepResult.Changed(cgroups.enforcement() + ": " + String.join(", ", done));
    }

    /**
     * For the health check: a running postmaster is in its cgroup (an adopted compute, one started by hand). Costs
     * one read per hierarchy when it is; only when it is not does it fall back to {@link #ensureCapacity}, with the
     * CU applied last. Limits are otherwise left to the passes that apply a spec.
     */
    StepResult ensureEnrolled(Compute c, BigDecimal cu) {
        if (!cgroups.enforces() || c.cluster == null) {
            return StepResult.UNCHANGED;
        }
        Optional<Long> postmaster = c.cluster.postmasterPid();
        if (postmaster.isEmpty()) {
            return StepResult.UNCHANGED;
        }
        if (cgroups.contains(c.id, postmaster.get())) {
            c.enforcement = cgroups.enforcement();
            return StepResult.UNCHANGED;
        }
        return ensureCapacity(c, cu);
    }

    /** Writes new limits into the compute's existing group (never creates one); the quick path for a CU change. */
    boolean preApplyCapacity(UUID computeId, BigDecimal cu) throws CgroupException {
        return cgroups.enforces() && cgroups.updateLimitsIfPresent(computeId, unit.limits(cu));
    }

    /** Removes the compute's cgroup(s); its processes must be gone. */
    StepResult removeCapacity(UUID computeId) {
        if (!cgroups.enforces()) {
            return StepResult.UNCHANGED;
        }
        try {
            if (!cgroups.groups().contains(computeId)) {
                return StepResult.UNCHANGED;
            }
            cgroups.remove(computeId);
            return new StepResult.Deleted(cgroups.enforcement() + " group");
        } catch (CgroupException e) {
            throw new ComputeFailure("cannot remove its cgroup: " + e.getMessage());
        }
    }

    String enforcement() {
        return cgroups.enforcement();
    }

    StepResult ensureOwnerRoleAndDatabase(Compute c, ComputeSpec spec) throws SQLException {
        return owner.ensure(c.cluster, spec, ReleaseCatalog.hasLibrary(c.cluster.release(), ComputeConfig.STAT_STATEMENTS));
    }

    /**
     * Whether the owner can log in: the catalog says so (role, login, verifier, database) and the postmaster answers a
     * TCP startup for it with a SCRAM challenge. Retried briefly to let a reload land.
     */
    LoginProbe.Result verify(Compute c, ComputeSpec spec) throws SQLException, InterruptedException {
        LoginProbe.Result last = null;
        for (int attempt = 1; attempt <= VERIFY_ATTEMPTS; attempt++) {
            String problem = owner.catalogProblem(c.cluster, spec);
            last = problem != null ? LoginProbe.Result.no(problem)
                    : probe.probe(address, spec.port(), spec.ownerRole(), spec.databaseName());
            if (last.acceptingLogins()) {
                return last;
            }
            Thread.sleep(VERIFY_PAUSE.toMillis());
        }
        return last;
    }

    /** A TCP probe only, for computes adopted before any spec arrived. */
    LoginProbe.Result probe(ComputeSpec spec) {
        return probe.probe(address, spec.port(), spec.ownerRole(), spec.databaseName());
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

    private static String readHba(PostgresCluster cluster) {
        try {
            return Files.readString(cluster.dataDir().resolve("pg_hba.conf"));
        } catch (IOException e) {
            return "";
        }
    }
}
