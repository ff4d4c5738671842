package io.stratus.controlplane.backups;

import io.stratus.backupstore.BackupStoreException;
import io.stratus.backupstore.StoredObject;
import io.stratus.protocol.BackupKeys;
import io.stratus.protocol.WalNames;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The instants a database can be restored to: from the oldest kept good backup's consistency point to the later of the
 * newest good backup's and the newest archived WAL segment's time in the store (an idle compute still archives at least
 * every {@code archive_timeout}). Which backup a point in time restores from: the newest good one consistent by then.
 */
@Component
class RecoveryWindows {

    private final BackupRecords records;
    private final ConfiguredStore store;

    RecoveryWindows(BackupRecords records, ConfiguredStore store) {
        this.records = records;
        this.store = store;
    }

    /**
     * @param earliest null when the database has no good backup (nothing to restore)
     * @param latest   null likewise
     */
    @Schema(name = "RecoveryWindow")
    record Window(Instant earliest, Instant latest) {

        boolean contains(Instant at) {
            return earliest != null && !at.isBefore(earliest) && !at.isAfter(latest);
        }

        String describe() {
            return "[" + earliest + ", " + latest + "]";
        }
    }

    /** @throws io.stratus.controlplane.web.ApiException 503 when the store cannot be listed */
    Window of(UUID databaseId) {
        List<Backup> good = good(databaseId);
        if (good.isEmpty()) {
            return new Window(null, null);
        }
        Instant earliest = good.get(0).stoppedAt();
        Instant latest = good.get(good.size() - 1).stoppedAt();
        try {
            Optional<Instant> wal = store.require().list(BackupKeys.wal(databaseId)).stream()
                    .filter(o -> WalNames.isSegment(name(o)))
                    .map(StoredObject::lastModified)
                    .max(Comparator.naturalOrder())
                    // A segment is stored a little after its switch: commits in that gap may not be in it.
                    .map(stored -> stored.minus(WalNames.ARCHIVE_LAG));
            if (wal.isPresent() && wal.get().isAfter(latest)) {
                latest = wal.get();
            }
        } catch (BackupStoreException e) {
            throw ConfiguredStore.unavailable(e);
        }
        return new Window(earliest, latest);
    }

    /** The newest good backup consistent at or before {@code at}. */
    Optional<Backup> backupFor(UUID databaseId, Instant at) {
        return good(databaseId).stream().filter(b -> !b.stoppedAt().isAfter(at)).reduce((older, newer) -> newer);
    }

    /** The database's kept good backups, oldest consistency point first. */
    private List<Backup> good(UUID databaseId) {
        return records.keptOf(List.of(databaseId)).stream().filter(Backup::good)
                .sorted(Comparator.comparing(Backup::stoppedAt)).toList();
    }

    static String name(StoredObject o) {
        return o.key().substring(o.key().lastIndexOf('/') + 1);
    }
}
