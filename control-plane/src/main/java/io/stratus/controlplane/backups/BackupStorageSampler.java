package io.stratus.controlplane.backups;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.backupstore.StoredObject;
import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.metering.BackupStorageLedger;
import io.stratus.protocol.BackupKeys;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Measures what each database holds in the backup store and hands it to metering ({@link BackupStorageLedger}), which
 * bills it as backup storage (ADR 0022). The store is the truth: a database's bytes are the sizes of every object under
 * {@link BackupKeys#database}, which is every base backup not yet deleted by retention (whatever its state: a FAILED
 * backup's leftovers occupy the store too) and its archived WAL.
 *
 * <p>Sampled: every database not deleted (its compute archives WAL), and a deleted one while any of its backups is
 * still in the store (retention keeps them under the same rules, so an accidental delete can be restored, and that
 * costs what it stores). A database that leaves both sets after having held bytes is recorded empty, without listing,
 * so its last interval is billed and nothing after it: WAL that a deleted database's retention can no longer remove
 * is the operator's to clean, not the tenant's to pay.
 */
@Service
class BackupStorageSampler {

    private static final Logger log = LoggerFactory.getLogger(BackupStorageSampler.class);

    private final ConfiguredStore store;
    private final BackupRecords records;
    private final DatabaseDirectory databases;
    private final BackupStorageLedger ledger;

    BackupStorageSampler(ConfiguredStore store, BackupRecords records, DatabaseDirectory databases,
                         BackupStorageLedger ledger) {
        this.store = store;
        this.records = records;
        this.databases = databases;
        this.ledger = ledger;
    }

    /** What one pass did. */
    record Outcome(int sampled, int failed, BigDecimal byteSecondsAdded) {
    }

    /** One pass: every database's bytes in the store as of {@code at}. Nothing without a store. */
    Outcome sample(Instant at) {
        Optional<BackupStore> s = store.store();
        if (s.isEmpty()) {
            return new Outcome(0, 0, BigDecimal.ZERO);
        }
        Map<UUID, UUID> billable = new LinkedHashMap<>(databases.tenantsOfUndeleted());
        billable.putAll(records.tenantsOfDatabasesWithStoredBackups());
        int sampled = 0;
        int failed = 0;
        BigDecimal added = BigDecimal.ZERO;
        for (Map.Entry<UUID, UUID> db : billable.entrySet()) {
            long bytes;
            try {
                bytes = bytesOf(s.get(), db.getKey());
            } catch (BackupStoreException | RuntimeException e) {
                // Not sampled: the next good sample bills the gap at the last size seen, as a store outage does not
                // empty the store.
                failed++;
                log.warn("backup storage of database {} not sampled, the store could not be listed: {}", db.getKey(),
                        e.toString());
                continue;
            }
            added = added.add(ledger.record(db.getKey(), db.getValue(), at, bytes));
            sampled++;
        }
        for (Map.Entry<UUID, UUID> db : ledger.holdingBytes().entrySet()) {
            if (!billable.containsKey(db.getKey())) {
                added = added.add(ledger.record(db.getKey(), db.getValue(), at, 0));
                sampled++;
            }
        }
        return new Outcome(sampled, failed, added);
    }

    /** Bytes of every object of the database in the store: base backups (any state) and WAL. */
    static long bytesOf(BackupStore s, UUID databaseId) throws BackupStoreException {
        long bytes = 0;
        for (StoredObject o : s.list(BackupKeys.database(databaseId))) {
            bytes += o.size();
        }
        return bytes;
    }
}
