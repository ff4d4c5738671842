package io.stratus.agent.backups;

import io.stratus.agent.AgentPaths;
import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.protocol.BackupKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Sends archived WAL from every compute's spool to the backup store ({@link BackupKeys#walFile}), oldest first, and
 * deletes each segment from the spool once stored. Runs every {@code ship-interval}, and on demand for a backup that
 * waits for its last segment. A store that cannot be reached leaves the spool to grow (loudly: a warning a minute, and
 * {@link #spooled()}), never loses a segment.
 */
@Component
public class WalShipper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WalShipper.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final AgentPaths paths;
    private final AgentBackupStore store;
    private final BackupSettings settings;
    private final Map<UUID, Object> locks = new ConcurrentHashMap<>();
    private final AtomicLong spooled = new AtomicLong();
    private volatile long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
    private volatile ScheduledExecutorService executor;

    public WalShipper(AgentPaths paths, AgentBackupStore store, BackupSettings settings) {
        this.paths = paths;
        this.store = store;
        this.settings = settings;
    }

    /** WAL files archived by this node's computes and not yet in the store, as of the last pass. */
    public long spooled() {
        return spooled.get();
    }

    @Override
    public void start() {
        if (executor != null || !store.configured()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wal-shipper");
            t.setDaemon(true);
            return t;
        });
        long every = settings.shipInterval().toMillis();
        executor.scheduleWithFixedDelay(this::shipEverything, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        ScheduledExecutorService e = executor;
        executor = null;
        if (e != null) {
            e.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    private void shipEverything() {
        long waiting = 0;
        try (DirectoryStream<Path> computes = Files.newDirectoryStream(paths.computes())) {
            for (Path dir : computes) {
                UUID id;
                try {
                    id = UUID.fromString(dir.getFileName().toString());
                } catch (IllegalArgumentException notACompute) {
                    continue;
                }
                if (Files.isDirectory(dir.resolve(WalArchiving.SPOOL))) {
                    try {
                        ship(id);
                    } catch (IOException e) {
                        long now = System.nanoTime();
                        if (now - lastWarning > WARN_EVERY_NANOS) {
                            lastWarning = now;
                            log.warn("cannot send archived WAL of compute {} to {}: {} (it waits in the spool)", id,
                                    store.store().map(BackupStore::describe).orElse("-"), e.getMessage());
                        }
                    }
                    waiting += pending(id).size();
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("WAL shipping pass failed: {}", e.getMessage());
        }
        spooled.set(waiting);
    }

    /**
     * Sends what the compute's spool holds, oldest first; returns the names sent. Safe to call from any thread: one
     * shipment per compute at a time.
     */
    public List<String> ship(UUID computeId) throws BackupStoreException, IOException {
        BackupStore target = store.store().orElseThrow(() -> new IOException("no backup store configured"));
        synchronized (locks.computeIfAbsent(computeId, k -> new Object())) {
            List<String> sent = new ArrayList<>();
            Path spool = paths.compute(computeId).resolve(WalArchiving.SPOOL);
            for (String name : pending(computeId)) {
                Path file = spool.resolve(name);
                long size = Files.size(file);
                try (InputStream in = Files.newInputStream(file)) {
                    target.put(BackupKeys.walFile(computeId, name), in, size);
                }
                Files.delete(file);
                sent.add(name);
            }
            return sent;
        }
    }

    /** The spool's finished files, by name (which is WAL order); a copy still being written ends in .tmp. */
    List<String> pending(UUID computeId) throws IOException {
        Path spool = paths.compute(computeId).resolve(WalArchiving.SPOOL);
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        try (var files = Files.list(spool)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".tmp")).sorted().toList();
        }
    }
}
