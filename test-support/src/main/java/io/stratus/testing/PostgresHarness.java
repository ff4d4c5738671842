package io.stratus.testing;

import io.stratus.postgres.LocalPostgres;
import io.stratus.postgres.MavenReleaseResolver;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.ReleaseLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Gives every test a real PostgreSQL server, found in this order:
 * <ol>
 *   <li>a JDBC URL in the environment: {@code STRATUS_TEST_JDBC_URL}, {@code STRATUS_TEST_DB_USER},
 *       {@code STRATUS_TEST_DB_PASSWORD};</li>
 *   <li>Testcontainers, when a Docker engine answers;</li>
 *   <li>otherwise a throwaway local instance started from the host's (or the embedded) Postgres release with the
 *       same launcher the agent uses, stopped when the JVM exits.</li>
 * </ol>
 * One server per JVM; each caller gets its own fresh database on it via {@link #newDatabase()}.
 */
public final class PostgresHarness {

    private static final Logger log = LoggerFactory.getLogger(PostgresHarness.class);
    private static volatile Server server;

    /** How the harness reached its server, and as whom. */
    public record Server(String baseUrl, String user, String password, String source) {
        public String url(String database) {
            return baseUrl + database;
        }
    }

    /** A fresh, empty database of its own on the shared server. */
    public record TestDatabase(String jdbcUrl, String user, String password, String name) {
    }

    private PostgresHarness() {
    }

    public static synchronized Server server() {
        if (server == null) {
            server = startServer();
            log.info("test PostgreSQL from {}: {}", server.source(), server.baseUrl());
        }
        return server;
    }

    /** Creates a new database with a unique name on the shared server. */
    public static TestDatabase newDatabase() {
        Server s = server();
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(s.url("postgres"), s.user(), s.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        return new TestDatabase(s.url(name), s.user(), s.password(), name);
    }

    private static Server startServer() {
        String url = System.getenv("STRATUS_TEST_JDBC_URL");
        if (url != null && !url.isBlank()) {
            String base = url.substring(0, url.lastIndexOf('/') + 1);
            return new Server(base, System.getenv().getOrDefault("STRATUS_TEST_DB_USER", "postgres"),
                    System.getenv().getOrDefault("STRATUS_TEST_DB_PASSWORD", ""), "environment");
        }
        if (dockerAnswers()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            String jdbc = container.getJdbcUrl();
            String base = jdbc.substring(0, jdbc.lastIndexOf('/') + 1);
            return new Server(base, container.getUsername(), container.getPassword(), "testcontainers");
        }
        return startLocal();
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    private static Server startLocal() {
        try {
            // Not Files.createTempDirectory: its 0700 would keep the postgres user out.
            Path dir = Path.of("/tmp", "stratus-test-pg-" + ProcessHandle.current().pid());
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path releases = Path.of("/tmp", "stratus-releases");
            var release = new ReleaseLocator(List.of(), releases).defaultRelease(new MavenReleaseResolver(releases));
            LocalPostgres pg = LocalPostgres.start(dir, release, OsUser.forPostgres("postgres"), "postgres", false, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                pg.close();
                PostgresCluster.deleteRecursively(dir);
            }));
            return new Server("jdbc:postgresql://127.0.0.1:" + pg.port() + "/", pg.superuser(), pg.password(),
                    "local " + release.version() + " (" + release.source() + ")");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a local PostgreSQL for tests", e);
        }
    }
}
