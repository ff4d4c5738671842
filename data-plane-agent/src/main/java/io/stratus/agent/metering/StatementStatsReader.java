package io.stratus.agent.metering;

import io.stratus.agent.ComputeConventions;
import io.stratus.postgres.PostgresCluster;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one compute's usage counters over a kept-open connection: over the Unix socket, as the agent's superuser, in
 * the maintenance database (pg_stat_statements shows every database's statements from there), so that nothing the
 * agent runs lands in, or is billed to, the tenant's database. Replaced when it breaks; a statement the server refused
 * leaves it open.
 *
 * <p>Counters come from {@code pg_stat_statements(showtext := false)}: top-level entries of the tenant's database,
 * leaving out superusers (the agent's own role; tenants never have one). Each statement shape (queryid) is classified
 * once from its text ({@link StatementClassifier}), fetched only for queryids not seen before.
 */
final class StatementStatsReader implements AutoCloseable {

    private static final String HEADER = "SELECT d.oid, pg_database_size(d.oid), pg_postmaster_start_time(), i.dealloc,"
            + " i.stats_reset FROM pg_database d CROSS JOIN pg_stat_statements_info i WHERE d.datname = ?";
    private static final String ENTRIES = "SELECT s.queryid, sum(s.calls)::bigint, sum(s.rows)::bigint"
            + " FROM pg_stat_statements(false) s WHERE s.dbid = ? AND s.toplevel AND s.queryid IS NOT NULL"
            + " AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = s.userid AND (r.rolsuper OR r.rolname = ?))"
            + " GROUP BY s.queryid";
    private static final String TEXTS = "SELECT DISTINCT ON (queryid) queryid, query FROM pg_stat_statements(true)"
            + " WHERE dbid = ? AND toplevel AND queryid = ANY (?)";
    private static final int SOCKET_TIMEOUT_SECONDS = 10;

    private final Map<Long, StatementKind> kinds = new HashMap<>();
    private Connection connection;

    /**
     * The counters now, of the tenant's database {@code database}. A kept-open connection that fails (the compute
     * restarted since the last read) is replaced once at once, rather than costing a pass.
     */
    CounterReading read(PostgresCluster cluster, String database) throws SQLException {
        if (connection != null) {
            try {
                return readOnce(cluster, database);
            } catch (SQLException e) {
                if (connection != null) {
                    throw e; // the server answered: a fresh connection would get the same answer
                }
                // Fall through to a fresh connection.
            }
        }
        return readOnce(cluster, database);
    }

    private CounterReading readOnce(PostgresCluster cluster, String database) throws SQLException {
        try {
            if (connection == null) {
                open(cluster);
            }
            long dbOid;
            long size;
            Timestamp postmasterStart;
            long dealloc;
            Timestamp statsReset;
            try (PreparedStatement ps = connection.prepareStatement(HEADER)) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("database " + database + " does not exist", "3D000");
                    }
                    dbOid = rs.getLong(1);
                    size = rs.getLong(2);
                    postmasterStart = rs.getTimestamp(3);
                    dealloc = rs.getLong(4);
                    statsReset = rs.getTimestamp(5);
                }
            }
            Map<Long, long[]> entries = new HashMap<>();
            try (PreparedStatement ps = connection.prepareStatement(ENTRIES)) {
                ps.setLong(1, dbOid);
                ps.setString(2, ComputeConventions.SUPERUSER);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
            classifyUnseen(dbOid, entries.keySet());
            long calls = 0;
            long read = 0;
            long written = 0;
            for (Map.Entry<Long, long[]> e : entries.entrySet()) {
                StatementKind kind = kinds.get(e.getKey());
                if (kind == null) {
                    continue; // its text could not be read this time: counted, whole, once it can
                }
                if (kind != StatementKind.TRANSACTION_CONTROL) {
                    calls += e.getValue()[0];
                }
                switch (kind) {
                    case READ -> read += e.getValue()[1];
                    case WRITE -> written += e.getValue()[1];
                    case OTHER, TRANSACTION_CONTROL -> {
                        // DDL, SET, ...: a request, but no rows read or written. BEGIN, COMMIT, ...: neither.
                    }
                }
            }
            return new CounterReading(statsReset.toInstant(), postmasterStart.toInstant(), dealloc, calls, read, written,
                    size);
        } catch (SQLException e) {
            if (!answered(e)) {
                close();
            }
            throw e;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The server ran the statement and refused it (pg_stat_statements not loaded, the database gone): the connection
     * is sound and is kept, since opening one costs the compute a backend start on every pass (measured: at 0.5 CU,
     * one a second took 7 % of the compute's throughput). Anything else (no SQLSTATE, class 08 connection exception,
     * 57P admin shutdown, a closed connection) is a connection that is gone.
     */
    private boolean answered(SQLException e) {
        String state = e.getSQLState();
        try {
            return state != null && !state.startsWith("08") && !state.startsWith("57P") && connection != null
                    && !connection.isClosed();
        } catch (SQLException closedCheck) {
            return false;
        }
    }

    /**
     * Fetches the text of queryids not classified yet, and classifies them for good: a classification that changed
     * later would move a queryid's whole history of rows from one sum to the other. A queryid whose entry is gone by
     * the time its text is asked for (evicted in between) stays unclassified and out of the sums: classified on a
     * guess, it would be filed differently by the next agent process, which finds its text. A text pg_stat_statements
     * lost (null) is classified as what it always will be, neither.
     */
    private void classifyUnseen(long dbOid, Iterable<Long> queryIds) throws SQLException {
        List<Long> unseen = new ArrayList<>();
        for (Long id : queryIds) {
            if (!kinds.containsKey(id)) {
                unseen.add(id);
            }
        }
        if (unseen.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement(TEXTS)) {
            ps.setLong(1, dbOid);
            Array ids = connection.createArrayOf("bigint", unseen.toArray());
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    kinds.put(rs.getLong(1), StatementClassifier.classify(rs.getString(2)));
                }
            }
        }
    }

    private void open(PostgresCluster cluster) throws SQLException {
        // The extension itself is OwnerAccess's: created in the maintenance database on every full apply, which an
        // adopted compute gets too, so computes made before metering have it as well.
        connection = ComputeConventions.maintenanceConnection(cluster, "stratus-agent-usage", SOCKET_TIMEOUT_SECONDS);
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // Already broken; nothing to release.
            }
        }
        connection = null;
    }
}
