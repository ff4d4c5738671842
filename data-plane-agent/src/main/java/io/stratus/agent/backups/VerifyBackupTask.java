package io.stratus.agent.backups;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.agent.computes.SqlText;
import io.stratus.agent.tasks.TaskFailure;
import io.stratus.agent.tasks.TaskType;
import io.stratus.postgres.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * {@code verify-backup}: proves a backup restores. Downloads it into a throwaway directory (every file checked against
 * its SHA-256), replays its WAL to its end, starts it, checks every B-tree index and every table's heap with amcheck
 * where the release ships it, and counts the rows of every table (a full read of each). Then throws it all away. The
 * compute it belongs to is not touched, and nothing of it is billed: the throwaway cluster runs outside any compute.
 */
@Component
class VerifyBackupTask implements TaskType<VerifyBackupTask.Parameters> {

    static final String NAME = "verify-backup";

    record Parameters(UUID backupId) {
    }

    private final AgentPaths paths;
    private final BackupMaterializer materializer;

    VerifyBackupTask(AgentPaths paths, BackupMaterializer materializer) {
        this.paths = paths;
        this.materializer = materializer;
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
        // It changes nothing but its own directory, which it empties first.
        return true;
    }

    @Override
    public Outcome run(UUID computeId, Optional<RunningCompute> compute, Parameters parameters, Progress progress)
            throws Exception {
        if (parameters.backupId() == null) {
            throw new TaskFailure("invalid-parameters", "backupId is required");
        }
        Path work = paths.dataDir().resolve("verify").resolve(parameters.backupId().toString());
        PostgresCluster cluster = null;
        try {
            BackupMaterializer.Materialized m = materializer.download(computeId, parameters.backupId(), null, work,
                    progress);
            cluster = materializer.recover(m, null);
            progress.report(90);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("checksums", "ok");
            result.put("files", m.manifest().files().size());
            try (Connection c = ComputeConventions.maintenanceConnection(cluster, "stratus-verify", 0);
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn()::text, pg_current_wal_lsn()::text")) {
                rs.next();
                result.put("recoveredTo", rs.getString(1) != null ? rs.getString(1) : rs.getString(2));
            }
            String database = m.manifest().databaseName();
            SqlText.identifier(database); // a manifest is read from the store: its name is checked like a spec's
            try (Connection c = ComputeConventions.connection(cluster, database, "stratus-verify", 0);
                 Statement st = c.createStatement()) {
                check(st, result);
            }
            return new Outcome("backup restores: " + result.get("files") + " files match their checksums, amcheck "
                    + result.get("amcheck") + ", " + result.get("tablesCounted") + " tables counted", result);
        } finally {
            BackupMaterializer.discard(cluster, work);
        }
    }

    private static void check(Statement st, Map<String, Object> result) throws SQLException, TaskFailure {
        boolean amcheck = exists(st, "SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'");
        int indexes = 0;
        if (amcheck) {
            st.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
            List<String> btrees = strings(st, "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND c.relkind = 'i' "
                    + "AND c.relpersistence = 'p' AND n.nspname NOT IN ('pg_toast') ORDER BY 1");
            for (String index : btrees) {
                try {
                    st.execute("SELECT bt_index_check('" + index.replace("'", "''") + "'::regclass, true)");
                } catch (SQLException e) {
                    throw new TaskFailure("amcheck-failed", "index " + index + ": " + e.getMessage());
                }
                indexes++;
            }
            List<String> corrupt = strings(st, "SELECT c.oid::regclass::text || ': ' || v.msg FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL verify_heapam(c.oid) v "
                    + "WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence = 'p' LIMIT 10");
            if (!corrupt.isEmpty()) {
                throw new TaskFailure("amcheck-failed", "heap corruption: " + corrupt);
            }
        }
        result.put("amcheck", amcheck ? "ok" : "unavailable");
        result.put("indexesChecked", indexes);
        Map<String, Object> rows = new LinkedHashMap<>();
        for (String table : strings(st, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n "
                + "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND n.nspname NOT IN "
                + "('pg_catalog', 'information_schema') ORDER BY 1")) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                rows.put(table, rs.getLong(1));
            } catch (SQLException e) {
                throw new TaskFailure("recovery-failed", "table " + table + " cannot be read: " + e.getMessage());
            }
        }
        result.put("tablesCounted", rows.size());
        result.put("rows", rows);
    }

    private static boolean exists(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next();
        }
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
