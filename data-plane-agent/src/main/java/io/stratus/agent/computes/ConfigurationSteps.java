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
        Set<String> names = new TreeSet<>(config.namesToCompare());
        // An operator setting dropped from the spec (a rollback) is in the file only: compared too, so it goes.
        names.addAll(namesInFile(cluster));
        for (String name : names) {
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
            if (!spec.settings().isEmpty() && pendingRestart(cluster, spec.settings().keySet())) {
                // An operator setting of postmaster context (max_locks_per_transaction, say): only a restart applies
                // it. Stopped here like the others, before anything is recorded, so a crash redoes it.
                cluster.stop();
                restart = true;
                needRestart.add("operator settings pending a restart");
            }
        }
        String what = (changed.isEmpty() ? "" : "settings " + changed) + (hbaChanged ? (changed.isEmpty() ? "" : ", ") + "pg_hba.conf" : "");
        return new StepResult.Changed(what + (restart ? "; stopped to apply " + needRestart : running ? "; reloaded" : "")
                + (running && !restart && !atNextStart.isEmpty() ? "; " + atNextStart + " take effect at the next start" : ""));
    }

    /** The names set in Stratus' settings file now. */
    private static Set<String> namesInFile(PostgresCluster cluster) {
        Set<String> names = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(cluster.dataDir().resolve(PostgresCluster.SETTINGS_FILE))) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("#")) {
                    names.add(line.substring(0, eq).trim());
                }
            }
        } catch (IOException e) {
            // No file yet: nothing of an operator's to remove.
        }
        return names;
    }

    /**
     * Whether the reloaded postmaster says one of the operator's settings waits for a restart. Only theirs: Stratus'
     * own postmaster settings ({@link ComputeConfig#SIZED_AT_START}) wait for the next start on purpose.
     */
    private static boolean pendingRestart(PostgresCluster cluster, Set<String> operatorSettings) {
        try (java.sql.Connection c = io.stratus.agent.ComputeConventions.maintenanceConnection(cluster,
                "stratus-agent-config", 10); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT name FROM pg_settings WHERE pending_restart")) {
            while (rs.next()) {
                if (operatorSettings.contains(rs.getString(1))) {
                    return true;
                }
            }
            return false;
        } catch (java.sql.SQLException e) {
            throw new ComputeFailure("cannot read pending_restart after a reload: " + e.getMessage());
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
