package io.stratus.controlplane.backups;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.backupstore.StoredObject;
import io.stratus.protocol.BackupKeys;
import io.stratus.protocol.WalNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes what no restore needs any more, per database: backups older than its retention (never its newest good one,
 * whatever its age) become EXPIRED and their objects are deleted; then archived WAL from before the oldest kept good
 * backup's first segment. Timeline history files are never deleted, nor is any WAL when no good backup is kept. A
 * backup is marked EXPIRED (committed) before its objects go, so no restore can start from one half deleted; deleting
 * objects is retried on later runs until it succeeds.
 */
@Service
class BackupRetention {

    private static final Logger log = LoggerFactory.getLogger(BackupRetention.class);

    private final BackupRecords records;
    private final BackupPolicies policies;
    private final ConfiguredStore store;
    private final TransactionTemplate transactions;
    private final Clock clock;

    BackupRetention(BackupRecords records, BackupPolicies policies, ConfiguredStore store,
                    TransactionTemplate transactions, Clock clock) {
        this.records = records;
        this.policies = policies;
        this.store = store;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** What one run did. */
    record Outcome(int expired, int walDeleted) {
    }

    /** One pass over every database with backups. */
    Outcome run() {
        Optional<BackupStore> s = store.store();
        if (s.isEmpty()) {
            return new Outcome(0, 0);
        }
        int expired = 0;
        int wal = 0;
        for (UUID databaseId : records.databasesWithStoredBackups()) {
            try {
                Outcome o = run(s.get(), databaseId);
                expired += o.expired();
                wal += o.walDeleted();
            } catch (BackupStoreException | RuntimeException e) {
                // One database's store trouble does not hold back the others'; the next run retries it.
                log.warn("retention of database {}'s backups failed, retried next run: {}", databaseId, e.toString());
            }
        }
        return new Outcome(expired, wal);
    }

    /** One database: expire, delete expired objects, delete WAL older than every kept good backup. */
    Outcome run(BackupStore s, UUID databaseId) throws BackupStoreException {
        Instant now = clock.instant();
        Duration retention = policies.retention(databaseId);
        Instant cutoff = now.minus(retention);
        int expired = transactions.execute(tx -> {
            List<Backup> kept = records.keptOf(List.of(databaseId));
            Optional<Backup> newestGood = kept.stream().filter(Backup::good)
                    .max(Comparator.comparing(Backup::stoppedAt));
            int n = 0;
            for (Backup b : kept) {
                if (b.state().equals("RUNNING") || b.createdAt().isAfter(cutoff)
                        || newestGood.map(g -> g.id().equals(b.id())).orElse(false)) {
                    continue;
                }
                // Locked: a restore holding it finishes first, and then this sees it still kept or not.
                records.lock(b.id());
                records.expire(b.id(), now);
                n++;
                log.info("backup {} of database {} expired ({} days kept)", b.id(), databaseId, retention.toDays());
            }
            return n;
        });
        for (UUID id : records.expiredNotDeleted(databaseId)) {
            List<String> keys = s.list(BackupKeys.base(databaseId, id)).stream().map(StoredObject::key).toList();
            s.delete(keys);
            records.storeDeleted(id, clock.instant());
        }
        int wal = deleteUnneededWal(s, databaseId);
        return new Outcome(expired, wal);
    }

    private int deleteUnneededWal(BackupStore s, UUID databaseId) throws BackupStoreException {
        Optional<Long> oldestNeeded = records.keptOf(List.of(databaseId)).stream()
                .filter(b -> !b.state().equals("FAILED") && b.startWal() != null)
                .map(b -> WalNames.segmentNumber(b.startWal()))
                .min(Comparator.naturalOrder());
        // A RUNNING backup has no start segment yet: while one runs, keep all WAL (it may start at any segment).
        boolean running = records.keptOf(List.of(databaseId)).stream().anyMatch(b -> b.state().equals("RUNNING"));
        if (oldestNeeded.isEmpty() || running) {
            return 0;
        }
        List<String> unneeded = s.list(BackupKeys.wal(databaseId)).stream()
                .map(StoredObject::key)
                .filter(key -> {
                    String name = key.substring(key.lastIndexOf('/') + 1);
                    return !WalNames.isHistory(name) && startsWithSegment(name)
                            && WalNames.segmentNumber(name) < oldestNeeded.get();
                })
                .toList();
        if (!unneeded.isEmpty()) {
            s.delete(unneeded);
            log.info("deleted {} archived WAL file(s) of database {} older than its oldest kept backup", unneeded.size(),
                    databaseId);
        }
        return unneeded.size();
    }

    private static boolean startsWithSegment(String name) {
        return name.length() >= 24 && WalNames.isSegment(name.substring(0, 24));
    }
}
