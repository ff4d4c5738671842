package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreSettings;
import io.stratus.backupstore.BackupStores;
import io.stratus.backupstore.StoredObject;
import io.stratus.protocol.BackupKeys;
import java.io.ByteArrayInputStream;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Retention against the shared context's filesystem store, with the objects an agent would have written: a base backup's
 * files and manifest, and archived WAL (segments, a .backup label, a timeline history).
 */
class BackupRetentionTests extends BackupTest {

    @Autowired
    private BackupRetention retention;

    private BackupStore store;

    @BeforeEach
    void openStore() {
        store = BackupStores.open(BackupStoreSettings.filesystem(BACKUP_STORE));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private void put(String key) throws Exception {
        byte[] bytes = key.getBytes();
        store.put(key, new ByteArrayInputStream(bytes), bytes.length);
    }

    /** A good backup, its objects in the store, taken {@code daysAgo}, starting in segment {@code startSegment}. */
    private UUID backup(Db db, int daysAgo, int startSegment) throws Exception {
        String startWal = String.format("00000001%08X%08X", 0, startSegment);
        Instant at = Instant.now().minus(Duration.ofDays(daysAgo));
        UUID id = goodBackup(db, at, startWal);
        age(id, at);
        put(BackupKeys.dataFile(db.id(), id, "base/1/1259"));
        put(BackupKeys.dataFile(db.id(), id, "global/pg_control"));
        put(BackupKeys.manifest(db.id(), id));
        return id;
    }

    private void age(UUID backup, Instant at) {
        jdbc.update("update backups set created_at = ?, stopped_at = coalesce(stopped_at, ?) where id = ?",
                Timestamp.from(at), Timestamp.from(at), backup);
    }

    private List<String> keys(String prefix) throws Exception {
        return store.list(prefix).stream().map(StoredObject::key).toList();
    }

    private String state(UUID backup) {
        return jdbc.queryForObject("select state from backups where id = ?", String.class, backup);
    }

    @Test
    void expiredBackupsAndTheWalNoKeptBackupNeedsAreDeletedAndNothingElse() throws Exception {
        Db db = runningDatabase(newTenant(), "retained");
        api().send(db.tenant().adminKey(), "PUT", "/v1/databases/" + db.id() + "/backup-policy",
                "{\"schedule\":\"0 3 * * *\",\"retentionDays\":7}", Map.of());
        UUID oldest = backup(db, 20, 0x03);
        UUID old = backup(db, 9, 0x08);
        UUID recent = backup(db, 3, 0x20);
        UUID newest = backup(db, 1, 0x28);
        UUID failed = UUID.fromString(backUp(db).at("/backup/id").asString());
        fail(db, failed, "store-failed", "disk full");
        age(failed, Instant.now().minus(Duration.ofDays(8)));
        put(BackupKeys.dataFile(db.id(), failed, "base/1/1259"));
        List<String> wal = new ArrayList<>();
        for (int segment = 0x01; segment <= 0x2A; segment++) {
            wal.add(String.format("00000001%08X%08X", 0, segment));
        }
        wal.add("000000010000000000000008.00000028.backup");
        wal.add("000000010000000000000020.00000028.backup");
        wal.add("00000002.history");
        for (String name : wal) {
            put(BackupKeys.walFile(db.id(), name));
        }

        retention.run();

        assertThat(state(oldest)).isEqualTo("EXPIRED");
        assertThat(state(old)).isEqualTo("EXPIRED");
        assertThat(state(failed)).isEqualTo("EXPIRED");
        assertThat(state(recent)).isEqualTo("SUCCEEDED");
        assertThat(state(newest)).isEqualTo("SUCCEEDED");
        assertThat(keys(BackupKeys.base(db.id(), oldest))).isEmpty();
        assertThat(keys(BackupKeys.base(db.id(), old))).isEmpty();
        assertThat(keys(BackupKeys.base(db.id(), failed))).isEmpty();
        assertThat(keys(BackupKeys.base(db.id(), recent))).hasSize(3);
        assertThat(keys(BackupKeys.base(db.id(), newest))).hasSize(3);
        List<String> walLeft = keys(BackupKeys.wal(db.id())).stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList();
        List<String> needed = new ArrayList<>();
        for (int segment = 0x20; segment <= 0x2A; segment++) {
            needed.add(String.format("00000001%08X%08X", 0, segment));
        }
        needed.add("000000010000000000000020.00000028.backup");
        needed.add("00000002.history");
        assertThat(walLeft).containsExactlyInAnyOrderElementsOf(needed);
        var window = api().get(db.tenant().readKey(), "/v1/databases/" + db.id() + "/recovery-window");
        assertThat(Instant.parse(window.text("earliest"))).as("starts at the oldest kept backup")
                .isEqualTo(Instant.parse(api().get(db.tenant().readKey(), "/v1/backups/" + recent).text("stoppedAt")));

        // Run again: nothing more goes.
        retention.run();
        assertThat(keys(BackupKeys.base(db.id(), recent))).hasSize(3);
        assertThat(keys(BackupKeys.wal(db.id()))).hasSize(needed.size());
    }

    // However old, the newest good backup is what a restore needs: it stays, and so does the WAL from its start.
    @Test
    void theNewestGoodBackupIsKeptWhateverItsAge() throws Exception {
        Db db = runningDatabase(newTenant(), "ancient");
        api().send(db.tenant().adminKey(), "PUT", "/v1/databases/" + db.id() + "/backup-policy",
                "{\"schedule\":\"0 3 * * *\",\"retentionDays\":1}", Map.of());
        UUID older = backup(db, 40, 0x02);
        UUID only = backup(db, 30, 0x05);
        UUID broken = UUID.fromString(backUp(db).at("/backup/id").asString());
        fail(db, broken, "archiving-failed", "archive_command failed");
        age(broken, Instant.now().minus(Duration.ofDays(2)));
        for (int segment = 0x01; segment <= 0x07; segment++) {
            put(BackupKeys.walFile(db.id(), String.format("00000001%08X%08X", 0, segment)));
        }

        retention.run();

        assertThat(state(older)).isEqualTo("EXPIRED");
        assertThat(state(only)).isEqualTo("SUCCEEDED");
        assertThat(state(broken)).isEqualTo("EXPIRED");
        assertThat(keys(BackupKeys.base(db.id(), only))).hasSize(3);
        assertThat(keys(BackupKeys.wal(db.id()))).hasSize(3);
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id() + "/recovery-window").text("earliest"))
                .isNotNull();
    }
}
