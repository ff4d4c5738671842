package io.stratus.agent.metering;

import io.stratus.agent.ComputeConventions;
import io.stratus.postgres.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reads what only the compute knows about its usage: the tenant's database size and when its postmaster started. Over
 * a kept-open connection (over the Unix socket, as the agent's superuser, in the maintenance database, so nothing the
 * agent runs lands in the tenant's), replaced when it breaks; a statement the server refused leaves it open. Requests
 * and rows are not read here: the front door counts them on the wire ({@link WireTally}).
 */
final class ComputeSizeReader implements AutoCloseable {

    private static final String QUERY = "SELECT pg_database_size(d.oid), pg_postmaster_start_time() FROM pg_database d"
            + " WHERE d.datname = ?";
    private static final int SOCKET_TIMEOUT_SECONDS = 10;

    /** The database's size now and the postmaster's start. */
    record Size(long storageBytes, Instant postmasterStart) {
    }

    private Connection connection;

    /** A kept-open connection that fails (the compute restarted since the last read) is replaced once, at once. */
    Size read(PostgresCluster cluster, String database) throws SQLException {
        if (connection != null) {
            try {
                return readOnce(cluster, database);
            } catch (SQLException e) {
                if (connection != null) {
                    throw e; // the server answered: a fresh connection would get the same answer
                }
            }
        }
        return readOnce(cluster, database);
    }

    private Size readOnce(PostgresCluster cluster, String database) throws SQLException {
        try {
            if (connection == null) {
                connection = ComputeConventions.maintenanceConnection(cluster, "stratus-agent-usage",
                        SOCKET_TIMEOUT_SECONDS);
            }
            try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("database " + database + " does not exist", "3D000");
                    }
                    return new Size(rs.getLong(1), rs.getTimestamp(2).toInstant());
                }
            }
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
     * The server ran the statement and refused it: the connection is sound and is kept, since opening one costs the
     * compute a backend start on every pass. Anything else (no SQLSTATE, class 08, 57P admin shutdown, a closed
     * connection) is a connection that is gone.
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

    @Override
    public void close() {
        ComputeConventions.closeQuietly(connection);
        connection = null;
    }
}
