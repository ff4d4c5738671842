package io.stratus.agent.pool;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.SocketDirs;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Pre-initialised, stopped Postgres clusters of the default release, so that a new compute skips initdb (the slow part
 * of provisioning) and {@code CREATE DATABASE}: {@code <dataDir>/pool/<uuid>/pgdata}, holding an empty database
 * {@link ComputeConventions#POOL_DATABASE} that PUBLIC may not connect to, complete once the {@value #READY_MARKER}
 * marker exists.
 * Refills run on a background thread of their own, never on the reconcile thread; an entry without the marker is the
 * remains of a crash mid-initdb and is deleted and made again.
 */
@Component
public class WarmPool implements SmartLifecycle {

    static final String READY_MARKER = "ready";
    /** Lifecycle phase: before the reconciler's (which may claim from it), after nothing else. */
    public static final int PHASE = -100;

    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    private final int size;
    private final Path poolDir;
    private final ReleaseCatalog releases;
    private final OsUser user;
    private final AtomicBoolean refillPending = new AtomicBoolean();
    private volatile ScheduledExecutorService executor;

    @Autowired
    public WarmPool(AgentSettings settings, AgentPaths paths, ReleaseCatalog releases, OsUser user) {
        this(settings.warmPoolSize(), paths, releases, user);
    }

    public WarmPool(int size, AgentPaths paths, ReleaseCatalog releases, OsUser user) {
        this.size = size;
        this.poolDir = paths.pool();
        this.releases = releases;
        this.user = user;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warm-pool");
            t.setDaemon(true);
            return t;
        });
        executor.execute(this::removeHalfMade);
        requestRefill();
    }

    @Override
    public void stop() {
        ScheduledExecutorService e = executor;
        executor = null;
        if (e != null) {
            // An initdb in flight is abandoned; its entry has no marker and is remade on the next start. A postmaster
            // started to make the pool database must not outlive the agent, though.
            e.shutdownNow();
            try {
                e.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            halfMadeEntries().forEach(this::stopPostmasterOf);
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Moves a ready cluster whose major version is the release's into {@code target} (which must not exist), in one
     * atomic rename, and schedules a refill.
     *
     * @return false when no ready cluster of that major is in the pool
     */
    public synchronized boolean claim(PostgresRelease release, Path target) {
        for (Path entry : readyEntries()) {
            if (majorOf(entry).filter(m -> m == release.major()).isEmpty()) {
                continue;
            }
            try {
                Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(target.resolve(READY_MARKER));
                log.info("claimed warm-pool cluster {} for {}", entry.getFileName(), target.getFileName());
                requestRefill();
                return true;
            } catch (IOException e) {
                log.warn("cannot claim warm-pool cluster {}: {}", entry, e.getMessage());
            }
        }
        requestRefill();
        return false;
    }

    /** Ready clusters in the pool now. */
    public int readyCount() {
        return readyEntries().size();
    }

    /** Asks the pool's thread to top the pool up; does nothing when a refill is already queued. */
    public void requestRefill() {
        ScheduledExecutorService e = executor;
        if (size > 0 && e != null && refillPending.compareAndSet(false, true)) {
            e.execute(this::refill);
        }
    }

    /** Tops the pool up on the caller's thread, for a pool that is not started (tests, tools). */
    public void fill() {
        PostgresRelease release = releases.defaultRelease();
        while (readyEntries().size() < size && !Thread.currentThread().isInterrupted()) {
            makeEntry(release);
        }
    }

    private void refill() {
        refillPending.set(false);
        try {
            fill();
        } catch (RuntimeException e) {
            ScheduledExecutorService ex = executor;
            if (ex == null) {
                // Stopping: the interrupted entry is remade on the next start.
                log.debug("warm-pool refill abandoned on stop: {}", e.getMessage());
                return;
            }
            log.warn("cannot refill the warm pool, retrying in {}: {}", RETRY_AFTER_FAILURE, e.getMessage());
            try {
                ex.schedule(this::requestRefill, RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                // Stopped meanwhile.
            }
        }
    }

    private void makeEntry(PostgresRelease release) {
        Path entry = poolDir.resolve(UUID.randomUUID().toString());
        try {
            Files.createDirectories(poolDir);
            Files.createDirectory(entry, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            long started = System.nanoTime();
            PostgresCluster cluster = new PostgresCluster(release, entry.resolve("pgdata"), user);
            cluster.initdb(ComputeConventions.SUPERUSER, null, true);
            createDatabase(cluster, entry);
            Files.createFile(entry.resolve(READY_MARKER));
            log.info("warm pool: initialised {} with Postgres {} in {} ms", entry.getFileName(), release.version(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            PostgresCluster.deleteRecursively(entry);
            throw e instanceof RuntimeException re ? re : new IllegalStateException("cannot make " + entry, e);
        }
    }

    /**
     * Starts the new cluster on a Unix socket only (no TCP port to collide with), creates the database a compute will
     * rename, and stops it again. The settings written here are replaced in full when a compute claims the cluster.
     */
    private static void createDatabase(PostgresCluster cluster, Path entry) {
        Path socketDir = SocketDirs.forData(entry);
        cluster.writeSettings(Map.of("listen_addresses", "", "port", "5432", "unix_socket_directories", socketDir.toString()));
        cluster.start();
        try (Connection c = ComputeConventions.maintenanceConnection(cluster, "stratus-warm-pool", 60);
             Statement st = c.createStatement()) {
            String db = ComputeConventions.POOL_DATABASE_SQL;
            st.execute("CREATE DATABASE " + db);
            st.execute("REVOKE CONNECT ON DATABASE " + db + ", " + ComputeConventions.MAINTENANCE_DATABASE
                    + ", template1 FROM PUBLIC");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the pool database in " + cluster.dataDir() + ": "
                    + e.getMessage(), e);
        } finally {
            cluster.stop();
            PostgresCluster.deleteRecursively(socketDir);
        }
    }

    private void removeHalfMade() {
        for (Path entry : halfMadeEntries()) {
            // An agent killed while it made the pool database leaves that postmaster running on the entry.
            if (stopPostmasterOf(entry)) {
                log.info("warm pool: removing half-made entry {}", entry.getFileName());
                PostgresCluster.deleteRecursively(entry);
            }
        }
    }

    /** Stops a postmaster running on a half-made entry; false when one runs and cannot be stopped. */
    private boolean stopPostmasterOf(Path entry) {
        try {
            PostgresCluster cluster = new PostgresCluster(releases.defaultRelease(), entry.resolve("pgdata"), user);
            if (cluster.isRunning()) {
                log.info("warm pool: stopping the postmaster running on half-made entry {}", entry.getFileName());
                cluster.stop();
            }
            return true;
        } catch (RuntimeException e) {
            log.warn("warm pool: cannot stop the postmaster on half-made entry {}, leaving it: {}", entry.getFileName(),
                    e.getMessage());
            return false;
        }
    }

    private List<Path> readyEntries() {
        return entries().stream().filter(e -> Files.exists(e.resolve(READY_MARKER))).toList();
    }

    private List<Path> halfMadeEntries() {
        return entries().stream().filter(e -> !Files.exists(e.resolve(READY_MARKER))).toList();
    }

    private List<Path> entries() {
        if (!Files.isDirectory(poolDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(poolDir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            log.warn("cannot list {}: {}", poolDir, e.getMessage());
            return List.of();
        }
    }

    private static Optional<Integer> majorOf(Path entry) {
        try {
            String v = Files.readString(entry.resolve("pgdata").resolve("PG_VERSION")).trim();
            return Optional.of(Integer.parseInt(v.split("\\.")[0]));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
