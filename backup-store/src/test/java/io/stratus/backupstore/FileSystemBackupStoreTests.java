package io.stratus.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBackupStoreTests extends BackupStoreContract {

    @TempDir
    Path temp;

    private Path root;

    @Override
    protected BackupStore newStore() {
        root = temp.resolve("store");
        return BackupStores.open(BackupStoreSettings.filesystem(root));
    }

    @Test
    void createsItsRootOnTheFirstPut() throws Exception {
        assertThat(root).doesNotExist();

        put("db/1/wal/000000010000000000000001", "wal");

        assertThat(root.resolve("db/1/wal/000000010000000000000001")).hasContent("wal");
    }

    @Test
    void keysCannotReachOutsideTheRoot() throws Exception {
        Files.createDirectories(root);
        Files.writeString(temp.resolve("outside"), "secret");

        for (String key : List.of("../outside", "a/../../outside", "/etc/passwd", "a/b/../../../outside")) {
            assertThatThrownBy(() -> store.put(key, new ByteArrayInputStream(new byte[1]), 1))
                    .as(key).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.get(key)).as(key).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.stat(key)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(temp.resolve("outside")).hasContent("secret");
        try (Stream<Path> files = Files.walk(temp)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(temp.resolve("outside"));
        }
    }

    @Test
    void leavesNoTemporaryFilesAfterASuccessfulOrAFailedPut() throws Exception {
        put("db/1/base/b/PG_VERSION", "16");
        assertThatThrownBy(() -> store.put("db/1/base/b/global/pg_control", failingAfter(100_000), 200_000))
                .isInstanceOf(BackupStoreException.class);
        assertThatThrownBy(() -> store.put("db/1/base/b/PG_VERSION", failingAfter(1), 2))
                .isInstanceOf(BackupStoreException.class);

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).map(root::relativize).map(Path::toString))
                    .containsExactly("db/1/base/b/PG_VERSION");
        }
        assertThat(root.resolve("db/1/base/b/PG_VERSION")).hasContent("16");
    }

    // A put killed mid-way (the agent's kill -9) leaves its temporary file behind: lists must not show it.
    @Test
    void listsIgnoreTemporaryFilesOfInterruptedPuts() throws Exception {
        put("db/1/a", "a");
        Files.writeString(root.resolve("db/1/" + FileSystemBackupStore.TEMP_PREFIX + "abandoned"), "partial");

        assertThat(keys(store.list("db/"))).containsExactly("db/1/a");
        assertThatThrownBy(() -> store.put("db/1/" + FileSystemBackupStore.TEMP_PREFIX + "x",
                InputStream.nullInputStream(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deletePrunesDirectoriesItEmptied() throws Exception {
        put("db/1/wal/1", "w");
        put("db/2/wal/1", "w");

        store.delete(List.of("db/1/wal/1"));

        assertThat(root.resolve("db/1")).doesNotExist();
        assertThat(root.resolve("db/2/wal/1")).exists();
        assertThat(root).exists();
    }

    @Test
    void describesItselfAsAFileUri() {
        assertThat(store.describe()).startsWith("file:///").contains(root.getFileName().toString());
    }

    @Test
    void aRootThatIsAFileFailsPutsAsFailed() throws IOException {
        Files.writeString(temp.resolve("store"), "not a directory");

        assertThatThrownBy(() -> put("k", "v"))
                .isInstanceOfSatisfying(BackupStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.FAILED));
    }
}
