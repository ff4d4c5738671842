package io.stratus.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One Postgres cluster (a data directory and, when running, its postmaster) run from a {@link PostgresRelease} as
 * an {@link OsUser}. Every method is idempotent: {@code initdb} on an initialised directory, {@code start} on a running
 * cluster and {@code stop} on a stopped one do nothing, so callers can repeat them after a crash.
 *
 * <p>Settings live in {@code stratus.conf}, included from {@code postgresql.conf}, so that what Stratus sets is kept
 * apart from the defaults initdb wrote.
 */
public final class PostgresCluster {

    public static final String SETTINGS_FILE = "stratus.conf";
    private static final String INCLUDE_LINE = "include_if_exists = '" + SETTINGS_FILE + "'";
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);
    /** postmaster.pid's eighth line: {@code starting}, {@code ready}, {@code stopping} (LOCK_FILE_LINE_PM_STATUS). */
    private static final int READY_LINE = 8;
    private static final long READY_POLL_MILLIS = 5;
    /** A postmaster that has not written its pid file by then did not start (a bad setting, a taken lock). */
    private static final Duration NO_PID_FILE_GRACE = Duration.ofSeconds(10);

    private final PostgresRelease release;
    private final Path dataDir;
    private final OsUser user;

    public PostgresCluster(PostgresRelease release, Path dataDir, OsUser user) {
        this.release = release;
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.user = user;
    }

    public PostgresRelease release() {
        return release;
    }

    public Path dataDir() {
        return dataDir;
    }

    public OsUser user() {
        return user;
    }

    /**
     * True when initdb finished here. initdb writes {@code PG_VERSION} early, so a crash mid-initdb leaves it behind;
     * the include line is appended only after initdb succeeded, so its presence marks a complete cluster.
     */
    public boolean isInitialised() {
        Path conf = dataDir.resolve("postgresql.conf");
        try {
            return Files.exists(dataDir.resolve("PG_VERSION")) && Files.exists(conf)
                    && Files.readString(conf).contains(INCLUDE_LINE);
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot read " + conf, e);
        }
    }

    /**
     * Runs initdb unless the directory already holds a cluster.
     *
     * @param superuser    name of the bootstrap superuser
     * @param password     its password (for TCP logins), or null for a superuser that only logs in over the socket
     * @param sync         whether initdb fsyncs its output (off only for throwaway clusters)
     */
    public void initdb(String superuser, String password, boolean sync) {
        if (isInitialised()) {
            return;
        }
        try {
            Files.createDirectories(dataDir.getParent());
            user.ensureCanTraverse(dataDir);
            if (Files.exists(dataDir)) {
                // A half-made directory from a crash mid-initdb: initdb wants it empty.
                deleteRecursively(dataDir);
            }
            Files.createDirectories(dataDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            user.own(dataDir);
            List<String> cmd = new ArrayList<>(List.of(release.initdb().toString(), "-D", dataDir.toString(),
                    "-U", superuser, "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust"));
            Path pwfile = null;
            if (password != null) {
                pwfile = Files.createTempFile(dataDir.getParent(), ".pw", "");
                Files.writeString(pwfile, password + "\n");
                user.own(pwfile);
                cmd.add("--pwfile=" + pwfile);
                cmd.add("--auth-host=scram-sha-256");
            } else {
                cmd.add("--auth-host=reject");
            }
            if (!sync) {
                cmd.add("--no-sync");
            }
            try {
                ProcessRunner.Result r = ProcessRunner.run(user.command(cmd), INITDB_TIMEOUT);
                if (!r.ok()) {
                    throw new PostgresRuntimeException("initdb failed for " + dataDir + ":\n" + r.output());
                }
            } finally {
                if (pwfile != null) {
                    Files.deleteIfExists(pwfile);
                }
            }
            Path conf = dataDir.resolve("postgresql.conf");
            Files.writeString(conf, Files.readString(conf) + "\n" + INCLUDE_LINE + "\n");
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot initialise " + dataDir, e);
        }
    }

    /** Replaces Stratus' settings file. Takes effect on the next start, or on {@link #reload()} for reloadable ones. */
    public void writeSettings(Map<String, String> settings) {
        StringBuilder sb = new StringBuilder("# Written by Stratus; edits are overwritten.\n");
        new TreeMap<>(settings).forEach((k, v) -> sb.append(k).append(" = ").append(quote(v)).append('\n'));
        writeOwned(dataDir.resolve(SETTINGS_FILE), sb.toString());
    }

    /** Reads back a setting from Stratus' settings file, unquoted. */
    public Optional<String> setting(String name) {
        Path file = dataDir.resolve(SETTINGS_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.substring(0, eq).trim().equals(name)) {
                    String v = line.substring(eq + 1).trim();
                    return Optional.of(v.startsWith("'") ? v.substring(1, v.length() - 1).replace("''", "'") : v);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot read " + file, e);
        }
    }

    public void writeHba(String content) {
        writeOwned(dataDir.resolve("pg_hba.conf"), content);
    }

    /** The port from Stratus' settings. */
    public int port() {
        return setting("port").map(Integer::parseInt).orElseThrow(() -> new PostgresRuntimeException("no port set for " + dataDir));
    }

    /** The Unix socket directory from Stratus' settings. */
    public Path socketDir() {
        return setting("unix_socket_directories").map(Path::of)
                .orElseThrow(() -> new PostgresRuntimeException("no socket directory set for " + dataDir));
    }

    /** Starts the postmaster and waits until it accepts connections; does nothing when it is already running. */
    public void start() {
        if (isRunning()) {
            return;
        }
        try {
            Path socketDir = socketDir();
            Files.createDirectories(socketDir);
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx------"));
            user.own(socketDir);
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot prepare socket directory for " + dataDir, e);
        }
        // A postmaster.pid left by a killed host or a kill -9 names a dead process: Postgres itself detects that,
        // unless the process is a zombie nobody reaped (PID 1 of a container or VM that does not reap orphans): then
        // kill(pid, 0) still succeeds and Postgres refuses to start. The zombie runs nothing, so its lock file is stale;
        // Postgres' shared-memory interlock still stops a start while orphaned backends of the dead postmaster live.
        // The socket's lock file names the same dead postmaster.
        removeLockFileOfZombie(dataDir.resolve("postmaster.pid"));
        removeLockFileOfZombie(socketDir().resolve(".s.PGSQL." + port() + ".lock"));
        List<String> stale = pidFileLines();
        // pg_ctl's own wait (-w) looks every 100 ms, a large part of a resume: it starts without waiting (-W) and the
        // status line of postmaster.pid, the one pg_ctl reads, is watched every few milliseconds instead.
        ProcessRunner.Result r = ProcessRunner.run(user.command(List.of(release.pgCtl().toString(), "-D", dataDir.toString(),
                "-l", dataDir.resolve("postgres.log").toString(), "-W", "start")), PG_CTL_TIMEOUT);
        if (!r.ok()) {
            throw new PostgresRuntimeException("cannot start " + dataDir + ":\n" + r.output() + "\n" + logTail());
        }
        awaitReady(stale);
    }

    private List<String> pidFileLines() {
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            return Files.exists(pidFile) ? Files.readAllLines(pidFile, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of(); // being written
        }
    }

    /**
     * Polls postmaster.pid until its status line says {@code ready}; fails when the postmaster dies first. A file left
     * by a postmaster that crashed ({@code stale}, which may say {@code ready} too) counts only once the new postmaster
     * has written its own: another pid or start time, as pg_ctl compares them.
     */
    private void awaitReady(List<String> stale) {
        long deadline = System.nanoTime() + PG_CTL_TIMEOUT.toNanos();
        long noPidFileUntil = System.nanoTime() + NO_PID_FILE_GRACE.toNanos();
        while (System.nanoTime() - deadline < 0) {
            List<String> lines = pidFileLines();
            boolean fresh = stale.size() < 3 || lines.size() < 3 || !lines.get(0).equals(stale.get(0))
                    || !lines.get(2).equals(stale.get(2));
            if (!fresh) {
                lines = List.of();
            }
            if (lines.size() >= READY_LINE) {
                if ("ready".equals(lines.get(READY_LINE - 1).trim())) {
                    return;
                }
                long pid = parsePid(lines.get(0));
                if (pid > 0 && ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> !isZombie(h.pid()))
                        .isEmpty()) {
                    throw new PostgresRuntimeException("postmaster of " + dataDir + " exited during start-up:\n"
                            + logTail());
                }
            } else if (lines.isEmpty() && System.nanoTime() - noPidFileUntil > 0) {
                throw new PostgresRuntimeException("postmaster of " + dataDir + " did not start:\n" + logTail());
            }
            try {
                Thread.sleep(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PostgresRuntimeException("interrupted while starting " + dataDir, e);
            }
        }
        throw new PostgresRuntimeException("postmaster of " + dataDir + " not ready after " + PG_CTL_TIMEOUT + ":\n"
                + logTail());
    }

    private static long parsePid(String line) {
        try {
            return Long.parseLong(line.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Fast shutdown; does nothing when it is not running. Returns once the postmaster is gone. pg_ctl's own wait (-w)
     * looks every 100 ms, half of a planned restart's downtime on average: it is told not to wait (-W) and the
     * postmaster is watched every few milliseconds instead, as {@link #start} does.
     */
    public void stop() {
        Optional<Long> pid = postmasterPid();
        if (pid.isEmpty()) {
            return;
        }
        ProcessRunner.Result r = ProcessRunner.run(user.command(List.of(release.pgCtl().toString(), "-D", dataDir.toString(),
                "-m", "fast", "-W", "stop")), PG_CTL_TIMEOUT);
        if (!r.ok() && isRunning()) {
            throw new PostgresRuntimeException("cannot stop " + dataDir + ":\n" + r.output());
        }
        long deadline = System.nanoTime() + PG_CTL_TIMEOUT.toNanos();
        // Gone when its lock file is (what pg_ctl -w waits for) and its process too.
        while (isRunning() || ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive)
                .filter(h -> !isZombie(h.pid())).isPresent()) {
            if (System.nanoTime() - deadline > 0) {
                throw new PostgresRuntimeException("postmaster of " + dataDir + " did not stop within " + PG_CTL_TIMEOUT);
            }
            try {
                Thread.sleep(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PostgresRuntimeException("interrupted while stopping " + dataDir, e);
            }
        }
    }

    /** Re-reads the configuration files (for settings that change without a restart). */
    public void reload() {
        if (isRunning()) {
            ProcessRunner.run(user.command(List.of(release.pgCtl().toString(), "-D", dataDir.toString(), "reload")), PG_CTL_TIMEOUT);
        }
    }

    /** The postmaster's pid when it is alive. */
    public Optional<Long> postmasterPid() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> !isZombie(h.pid()))
                    .filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(true))
                    .map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean isRunning() {
        return postmasterPid().isPresent();
    }

    /** Deletes a Postgres lock file (data directory or socket) whose first line names a zombie. */
    private static void removeLockFileOfZombie(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (!lines.isEmpty() && isZombie(Long.parseLong(lines.get(0).trim()))) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException | NumberFormatException e) {
            // Leave it: Postgres reports a lock file it cannot use in its own words.
        }
    }

    /** True when the process has exited but was not reaped; {@link ProcessHandle#isAlive()} says true for it. */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // Format: "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the cluster and deletes its data directory. */
    public void destroy() {
        stop();
        deleteRecursively(dataDir);
    }

    /**
     * A JDBC URL that reaches the cluster over its Unix socket (trust authentication for the superuser, protected by
     * the socket directory's 0700 permissions), through junixsocket.
     */
    /** The postmaster's Unix socket file: {@code .s.PGSQL.<port>} in its socket directory. */
    public Path socketPath() {
        return socketDir().resolve(".s.PGSQL." + port());
    }

    public String socketJdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database
                + "?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg"
                + "&socketFactoryArg=" + socketPath()
                + "&sslmode=disable&connectTimeout=10";
    }

    public String logTail() {
        Path log = dataDir.resolve("postgres.log");
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** A TCP port that is free on the loopback interface right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new PostgresRuntimeException("no free port", e);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        ProcessRunner.Result r = ProcessRunner.run(List.of("rm", "-rf", "--one-file-system", dir.toString()), Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new PostgresRuntimeException("cannot delete " + dir + ": " + r.output());
        }
    }

    private void writeOwned(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            user.own(tmp);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot write " + file, e);
        }
    }

    private static String quote(String v) {
        if (v.matches("-?\\d+(\\.\\d+)?|on|off|true|false")) {
            return v;
        }
        return "'" + v.replace("'", "''") + "'";
    }
}
