package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.capacity.CapacityUnit;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.SocketDirs;
import io.stratus.protocol.ComputeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The step that writes a compute's settings and pg_hba.conf ({@link ComputeConfig}) and makes the postmaster use them. */
final class ConfigurationSteps {

    private final AgentPaths paths;
    private final CapacityUnit unit;
    private final ComputeBackups backups;

    ConfigurationSteps(AgentPaths paths, CapacityUnit unit, ComputeBackups backups) {
        this.paths = paths;
        this.unit = unit;
        this.backups = backups;
    }

    /**
     * Writes the settings and pg_hba.conf the spec calls for. A running compute reloads; the settings sized from the
     * CU range ({@link ComputeConfig#SIZED_AT_START}) wait for its next start. If another postmaster-only setting
     * changed (its socket, its preloaded libraries) it is stopped first, so that a crash in between never leaves an old postmaster behind settings that look
     * applied, and {@link PostmasterSteps#ensureRunning} starts it again.
     *
     * @param unapplied the spec differs from the one last applied in full: reload even when the files already match,
     *                  in case an earlier pass wrote them and died before its reload
     */
    StepResult ensureConfigured(Compute c, ComputeSpec spec, boolean unapplied) {
        PostgresCluster cluster = c.cluster;
        ComputeConfig config = ComputeConfig.of(spec, SocketDirs.forData(paths.compute(c.id)),
                spec.pgStatStatements() && ReleaseCatalog.hasLibrary(cluster.release(), ComputeConfig.STAT_STATEMENTS),
                unit, backups.archiveSettings(c.id, cluster.user()));
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

    private static String readHba(PostgresCluster cluster) {
        try {
            return Files.readString(cluster.dataDir().resolve("pg_hba.conf"));
        } catch (IOException e) {
            return "";
        }
    }
}
