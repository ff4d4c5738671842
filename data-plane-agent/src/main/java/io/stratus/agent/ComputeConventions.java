package io.stratus.agent;

import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.SocketDirs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Names every compute on every node shares, and the one way the agent connects to a compute. */
public final class ComputeConventions {

    /**
     * The agent's superuser in each compute: created by initdb without a password, so it logs in only over the Unix
     * socket (trust), whose directory only the Postgres OS user and root can enter.
     */
    public static final String SUPERUSER = "stratus_agent";

    /**
     * Every compute's port: it listens on no TCP port, only on the Unix socket in its own socket directory, and the port
     * names that socket's file ({@code .s.PGSQL.5432}).
     */
    public static final int SOCKET_PORT = 5432;

    /**
     * The Unix socket of the compute whose directory ({@code computes/<id>}) is {@code computeDir}: in its short socket
     * directory ({@link SocketDirs}), named after {@link #SOCKET_PORT}. Worked out, never read from its settings.
     */
    public static Path socket(Path computeDir) {
        return SocketDirs.forData(computeDir).resolve(".s.PGSQL." + SOCKET_PORT);
    }

    /** Where the agent runs all of its own queries, so that none of them lands in (or is billed to) a tenant's database. */
    public static final String MAINTENANCE_DATABASE = "postgres";

    /**
     * The database a warm-pool cluster holds ready, renamed to the tenant's on claim ({@code ALTER DATABASE ... RENAME}
     * is a catalog update; {@code CREATE DATABASE} copies template1 and took a quarter of provisioning). Tenants' names
     * are lower-case letters, digits and underscores, so this one, with a hyphen, is never theirs.
     */
    public static final String POOL_DATABASE = "stratus-pool";

    /** {@link #POOL_DATABASE} as an SQL identifier (quoted: the hyphen needs it). */
    public static final String POOL_DATABASE_SQL = '"' + POOL_DATABASE + '"';

    private ComputeConventions() {
    }

    /**
     * A connection as {@link #SUPERUSER} to {@link #MAINTENANCE_DATABASE} over the compute's Unix socket.
     *
     * @param applicationName shows in {@code pg_stat_activity}, so each of the agent's connections can be told apart
     * @param socketTimeoutSeconds 0 for none; otherwise a compute that does not answer within it fails the call
     */
    public static Connection maintenanceConnection(PostgresCluster cluster, String applicationName,
                                                   int socketTimeoutSeconds) throws SQLException {
        return connection(cluster, MAINTENANCE_DATABASE, applicationName, socketTimeoutSeconds);
    }

    /**
     * A connection as {@link #SUPERUSER} to another database of the compute: only for what must run inside the tenant's
     * database (dropping what a removed role held there), never a query of the tenant's data.
     */
    public static Connection connection(PostgresCluster cluster, String database, String applicationName,
                                        int socketTimeoutSeconds) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("ApplicationName", applicationName);
        props.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
        return DriverManager.getConnection(cluster.socketJdbcUrl(database), props);
    }

    /** Closes a connection the agent keeps open, if any; one that is already broken has nothing left to release. */
    public static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (java.sql.SQLException e) {
            // Already broken.
        }
    }
}
