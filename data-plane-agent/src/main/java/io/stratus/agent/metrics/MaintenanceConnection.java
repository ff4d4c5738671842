package io.stratus.agent.metrics;

import io.stratus.agent.ComputeConventions;
import io.stratus.postgres.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One connection to a compute, kept open between samples: over the Unix socket, as the agent's superuser, in the
 * maintenance database (never the tenant's: nothing the agent runs is billed to it). Closed on any error and opened
 * again at the next sample.
 */
final class MaintenanceConnection implements AutoCloseable {

    /**
     * Client connections to the tenant's database now, its commits plus rollbacks so far, and the client sessions ever
     * established to it ({@code sessions} counts client backends only: autovacuum's visits, which commit transactions
     * there every naptime, are not sessions).
     */
    private static final String COUNTERS = "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = ?"
            + " AND backend_type = 'client backend' AND usename IS DISTINCT FROM ?)::int, d.xact_commit + d.xact_rollback,"
            + " d.sessions FROM pg_stat_database d WHERE d.datname = ?";
    /** A compute that does not answer within this long is skipped this round (and the connection dropped). */
    private static final int SOCKET_TIMEOUT_SECONDS = 3;

    private Connection connection;
    private PreparedStatement counters;

    /** The counts, read now. */
    record Counts(int clientConnections, long transactions, long sessions) {
    }

    Counts read(PostgresCluster cluster, String database) throws SQLException {
        try {
            if (connection == null) {
                open(cluster);
            }
            counters.setString(1, database);
            counters.setString(2, ComputeConventions.SUPERUSER);
            counters.setString(3, database);
            try (ResultSet rs = counters.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("database " + database + " is not in pg_stat_database");
                }
                return new Counts(rs.getInt(1), rs.getLong(2), rs.getLong(3));
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private void open(PostgresCluster cluster) throws SQLException {
        connection = ComputeConventions.maintenanceConnection(cluster, "stratus-agent-metrics", SOCKET_TIMEOUT_SECONDS);
        counters = connection.prepareStatement(COUNTERS);
    }

    @Override
    public void close() {
        ComputeConventions.closeQuietly(connection);
        connection = null;
        counters = null;
    }
}
