package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BackupTaskResultsTests {

    private static Map<String, Object> complete() {
        return new HashMap<>(BackupTest.backupResult(UUID.randomUUID(), UUID.randomUUID(),
                Instant.parse("2026-12-08T03:00:41Z"), "000000010000000000000005"));
    }

    @Test
    void aCompleteResultIsReadWithItsTypes() {
        BackupRecords.Result r = BackupTaskResults.result(complete());

        assertThat(r.stoppedAt()).isEqualTo(Instant.parse("2026-12-08T03:00:41Z"));
        assertThat(r.sizeBytes()).isEqualTo(123_456_789L);
        assertThat(r.files()).isEqualTo(987);
        assertThat(r.timeline()).isEqualTo(1L);
        assertThat(r.startWal()).isEqualTo("000000010000000000000005");
        assertThat(r.manifestKey()).endsWith("/manifest.json");
    }

    // Without these a restore cannot use the backup, so a "success" lacking one is no success.
    @Test
    void whatARestoreNeedsIsRequired() {
        for (String key : new String[] {"manifestKey", "stoppedAt", "startWal"}) {
            Map<String, Object> r = complete();
            r.remove(key);
            assertThatThrownBy(() -> BackupTaskResults.result(r)).as(key).hasMessageContaining(key);
        }
        Map<String, Object> blank = complete();
        blank.put("manifestKey", " ");
        assertThatThrownBy(() -> BackupTaskResults.result(blank)).hasMessageContaining("manifestKey");
    }

    @Test
    void badValuesAreRefused() {
        Map<String, Object> wal = complete();
        wal.put("startWal", "00000002.history");
        assertThatThrownBy(() -> BackupTaskResults.result(wal)).hasMessageContaining("startWal");
        Map<String, Object> time = complete();
        time.put("stoppedAt", "yesterday");
        assertThatThrownBy(() -> BackupTaskResults.result(time)).isInstanceOf(java.time.format.DateTimeParseException.class);
        Map<String, Object> size = complete();
        size.put("sizeBytes", "lots");
        assertThatThrownBy(() -> BackupTaskResults.result(size)).isInstanceOf(NumberFormatException.class);
    }
}
