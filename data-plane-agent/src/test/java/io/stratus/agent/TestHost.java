package io.stratus.agent;

import io.stratus.agent.capacity.CgroupDetector;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.frontdoor.FrontDoorSettings;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.SocketDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.springframework.util.unit.DataSize;

/**
 * A throwaway agent data directory under /tmp, mode 0755 so that the Postgres OS user can reach the clusters in it
 * (Files.createTempDirectory would make it 0700), and a cgroup parent of its own ({@code stratus-test-<id>}) in every
 * cgroup hierarchy. {@link #close()} stops every postmaster below the directory, removes every group below that
 * parent and the parent, and deletes the directory.
 */
public final class TestHost implements AutoCloseable {

    public final Path dir;
    /** The cgroup parent of this host's computes, relative to each hierarchy's mount point. */
    public final String cgroupParent;
    private CgroupDriver cgroups;

    public TestHost() {
        String id = UUID.randomUUID().toString().substring(0, 8);
        cgroupParent = "stratus-test-" + id;
        dir = Path.of("/tmp", "stratus-agent-test-" + id);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public AgentSettings settings(int warmPoolSize) {
        return settings(URI.create("http://127.0.0.1:9"), warmPoolSize);
    }

    public AgentSettings settings(URI controlPlane, int warmPoolSize) {
        return settings(controlPlane, warmPoolSize, Duration.ofMillis(500));
    }

    /** Fast loops for tests: health checks every 500 ms, long-polls of 2 s. */
    public AgentSettings settings(URI controlPlane, int warmPoolSize, Duration heartbeat) {
        return new AgentSettings(controlPlane, FakeControlPlane.BOOTSTRAP_TOKEN, null, dir.resolve("agent"), "test-node",
                "127.0.0.1", "local", BigDecimal.valueOf(8), "postgres", List.of(), warmPoolSize,
                heartbeat, Duration.ofMillis(500), Duration.ofSeconds(2), Map.of(), BigDecimal.ONE,
                DataSize.ofGigabytes(4), 1.0, Duration.ofSeconds(1), "auto", cgroupParent, Duration.ofSeconds(10), 500,
                Duration.ofMinutes(5), FrontDoorSettings.defaults());
    }

    /** A compute's Unix socket, where it listens (it has no TCP port): where the front door connects. */
    public static Path computeSocket(AgentPaths paths, UUID computeId) {
        return ComputeConventions.socket(paths.compute(computeId));
    }

    /** A client connection to a compute over its socket, as the front door makes one (the password checked by SCRAM). */
    public static Connection connectToCompute(AgentPaths paths, UUID computeId, String database, String user,
                                              String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(socketUrl(computeSocket(paths, computeId), database), props);
    }

    /** A pgjdbc URL for a Unix socket (junixsocket's socket factory). */
    public static String socketUrl(Path socket, String database) {
        return "jdbc:postgresql://localhost/" + database
                + "?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg&socketFactoryArg=" + socket
                + "&sslmode=disable";
    }

    /**
     * Set to {@code required} (as {@code .ci/run} does where it could create a cgroup) to make a host without CU
     * enforcement fail the tests that need it, rather than let them skip or take their no-cgroup branch unnoticed.
     */
    public static final String CGROUPS_REQUIRED_ENV = "STRATUS_TEST_CGROUPS";

    /**
     * CU enforcement as this machine offers it, under this host's own cgroup parent; detected once.
     *
     * @throws AssertionError when the environment says cgroups are writable here and the agent found none it can use
     */
    public synchronized CgroupDriver cgroups() {
        if (cgroups == null) {
            cgroups = CgroupDetector.detect("auto", cgroupParent);
        }
        if (!cgroups.enforces() && cgroupsRequired()) {
            throw new AssertionError(CGROUPS_REQUIRED_ENV + "=required, yet the agent enforces no CU here: " + cgroups);
        }
        return cgroups;
    }

    /**
     * A driver that enforces CU: the test is skipped where this host has none, and fails where the environment says
     * it has.
     */
    public CgroupDriver enforcingCgroups() {
        CgroupDriver driver = cgroups();
        Assumptions.assumeTrue(driver.enforces(), "this host lets the agent write no cgroups: " + driver);
        return driver;
    }

    private static boolean cgroupsRequired() {
        return "required".equals(System.getenv(CGROUPS_REQUIRED_ENV));
    }

    public AgentPaths paths() {
        return new AgentPaths(dir.resolve("agent")).prepare();
    }

    /** Stops whatever Postgres still runs below the directory, then deletes it. */
    @Override
    public void close() {
        ReleaseCatalog releases = new ReleaseCatalog(List.of(), null);
        OsUser user = OsUser.forPostgres("postgres");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path pidFile : files.filter(p -> p.getFileName().toString().equals("postmaster.pid")).toList()) {
                Path pgdata = pidFile.getParent();
                String major = Files.readString(pgdata.resolve("PG_VERSION")).trim();
                releases.find(major).ifPresent(r -> new PostgresCluster(r, pgdata, user).stop());
            }
            Path computes = dir.resolve("agent").resolve("computes");
            if (Files.isDirectory(computes)) {
                try (Stream<Path> dirs = Files.list(computes)) {
                    dirs.forEach(c -> PostgresCluster.deleteRecursively(SocketDirs.forData(c)));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot stop every test postmaster under " + dir + ": " + e);
        }
        removeCgroups(cgroupParent);
        PostgresCluster.deleteRecursively(dir);
    }

    /**
     * Removes {@code <mount>/<parent>} and the groups in it from every cgroup hierarchy, without going through a
     * driver (so it also cleans up after a test whose driver never got that far). A group still holding a process is
     * reported, not hidden.
     */
    public static void removeCgroups(String parent) {
        List<String> mountinfo;
        try {
            mountinfo = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return;
        }
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0 || !(line.startsWith("cgroup ", dash + 3) || line.startsWith("cgroup2 ", dash + 3))) {
                continue;
            }
            Path group = Path.of(line.substring(0, dash).split(" ")[4]).resolve(parent);
            if (!Files.isDirectory(group)) {
                continue;
            }
            try (Stream<Path> children = Files.list(group)) {
                for (Path child : children.filter(Files::isDirectory).toList()) {
                    rmdir(child);
                }
            } catch (IOException e) {
                System.err.println("cannot list " + group + ": " + e);
            }
            rmdir(group);
        }
    }

    private static void rmdir(Path group) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                Files.deleteIfExists(group);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    System.err.println("cannot remove cgroup " + group + ": " + e);
                    return;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Alive and not a zombie (here PID 1 does not reap orphans, and ProcessHandle calls zombies alive). */
    public static boolean isLive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }
}
