package io.stratus.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BackupStoreSettingsTests {

    @Test
    void anS3StoreNeedsABucket() {
        assertThatThrownBy(() -> BackupStoreSettings.s3(" ", "p", null, null, null, null, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stratus.backups.store.bucket");
    }

    @Test
    void aFilesystemStoreNeedsADirectory() {
        assertThatThrownBy(() -> new BackupStoreSettings("filesystem", null, null, null, null, null, null, null, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stratus.backups.store.directory");
    }

    @Test
    void theTypeIsFilesystemOrS3() {
        assertThatThrownBy(() -> new BackupStoreSettings("gcs", null, "b", null, null, null, null, null, false))
                .hasMessageContaining("filesystem or s3, not 'gcs'");
        assertThatThrownBy(() -> new BackupStoreSettings(null, null, "b", null, null, null, null, null, false))
                .hasMessageContaining("stratus.backups.store.type");
        assertThat(new BackupStoreSettings(" S3 ", null, "b", null, null, null, null, null, false).type())
                .isEqualTo("s3");
    }

    @Test
    void credentialsComeInPairs() {
        assertThatThrownBy(() -> BackupStoreSettings.s3("b", "", null, null, "key", null, false))
                .hasMessageContaining("access-key and secret-key go together");
        assertThat(BackupStoreSettings.s3("b", "", null, null, "", " ", false).accessKey()).isNull();
    }

    @Test
    void theEndpointIsAnHttpUrl() {
        assertThatThrownBy(() -> BackupStoreSettings.s3("b", "", URI.create("localhost:9000"), null, null, null, true))
                .hasMessageContaining("http(s) URL");
        assertThat(BackupStoreSettings.s3("b", "", URI.create("http://127.0.0.1:9000"), null, null, null, true)
                .endpoint()).hasPort(9000);
    }

    @Test
    void thePrefixLosesItsSlashesAndRefusesDotSegments() {
        assertThat(BackupStoreSettings.s3("b", "/stratus/prod/", null, null, null, null, false).prefix())
                .isEqualTo("stratus/prod");
        assertThat(BackupStoreSettings.s3("b", null, null, null, null, null, false).prefix()).isEmpty();
        assertThatThrownBy(() -> BackupStoreSettings.s3("b", "a/../b", null, null, null, null, false))
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> BackupStoreSettings.s3("b", "a//b", null, null, null, null, false))
                .hasMessageContaining("prefix");
    }

    @Test
    void printingTheSettingsHidesTheSecretKey() {
        BackupStoreSettings settings = BackupStoreSettings.s3("b", "", null, "eu-west-1", "AKIAEXAMPLE",
                "wJalrXUtnFEMI", false);

        assertThat(settings.toString()).contains("AKIAEXAMPLE").doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void openPicksTheStoreForTheType() {
        try (BackupStore store = BackupStores.open(BackupStoreSettings.filesystem(Path.of("/tmp/x")))) {
            assertThat(store).isInstanceOf(FileSystemBackupStore.class);
            assertThat(store.describe()).isEqualTo("file:///tmp/x");
        }
        try (BackupStore store = BackupStores.open(
                BackupStoreSettings.s3("b", "p", URI.create("http://127.0.0.1:1"), null, "a", "s", true))) {
            assertThat(store).isInstanceOf(S3BackupStore.class);
            assertThat(store.describe()).isEqualTo("s3://b/p");
        }
    }
}
