package io.stratus.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Postgres server on the loopback interface for one process's own use: the control plane's embedded metadata
 * database and the test harness's throwaway instance. The superuser logs in over TCP with a generated password kept
 * in {@code <dir>/superuser.password} (mode 0600), so a restart finds the same cluster and the same password.
 */
public final class LocalPostgres implements AutoCloseable {

    private final PostgresCluster cluster;
    private final String superuser;
    private final String password;

    private LocalPostgres(PostgresCluster cluster, String superuser, String password) {
        this.cluster = cluster;
        this.superuser = superuser;
        this.password = password;
    }

    /**
     * Initialises (first time only) and starts a cluster under {@code dir}.
     *
     * @param durable false for throwaway instances: no fsync at all, for speed
     */
    public static LocalPostgres start(Path dir, PostgresRelease release, OsUser user, String superuser, boolean durable,
                                      Map<String, String> extraSettings) {
        try {
            Path abs = dir.toAbsolutePath().normalize();
            Files.createDirectories(abs);
            Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwx--x--x"));
            Path pwFile = abs.resolve("superuser.password");
            String password;
            if (Files.exists(pwFile)) {
                password = Files.readString(pwFile).trim();
            } else {
                byte[] b = new byte[18];
                new SecureRandom().nextBytes(b);
                password = HexFormat.of().formatHex(b);
                Files.writeString(pwFile, password);
                Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
            }
            PostgresCluster cluster = new PostgresCluster(release, abs.resolve("pgdata"), user);
            cluster.initdb(superuser, password, durable);
            int port = cluster.setting("port").map(Integer::parseInt).orElseGet(PostgresCluster::freePort);
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("port", String.valueOf(port));
            settings.put("listen_addresses", "127.0.0.1");
            settings.put("unix_socket_directories", SocketDirs.forData(abs).toString());
            settings.put("max_connections", "200");
            settings.put("shared_buffers", "128MB");
            if (!durable) {
                settings.put("fsync", "off");
                settings.put("synchronous_commit", "off");
                settings.put("full_page_writes", "off");
            }
            settings.putAll(extraSettings);
            cluster.writeSettings(settings);
            cluster.start();
            return new LocalPostgres(cluster, superuser, password);
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot prepare " + dir, e);
        }
    }

    public PostgresCluster cluster() {
        return cluster;
    }

    public int port() {
        return cluster.port();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String superuser() {
        return superuser;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        cluster.stop();
    }
}
