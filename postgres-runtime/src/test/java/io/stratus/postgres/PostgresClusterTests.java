package io.stratus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresClusterTests {

    private static final PostgresRelease NO_BINARIES = new PostgresRelease("15.0", Path.of("/nonexistent/bin"), "test");

    // initdb writes PG_VERSION early: a crash mid-initdb must not pass for a cluster (it would never be redone).
    @Test
    void dataDirectoryFromACrashMidInitdbIsNotInitialised(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("PG_VERSION"), "15\n");
        Files.writeString(dir.resolve("postgresql.conf"), "# initdb's defaults\n");

        assertThat(new PostgresCluster(NO_BINARIES, dir, OsUser.forPostgres("postgres")).isInitialised()).isFalse();
    }

    @Test
    void dataDirectoryWithStratusIncludeIsInitialised(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("PG_VERSION"), "15\n");
        Files.writeString(dir.resolve("postgresql.conf"), "# initdb's defaults\n\ninclude_if_exists = 'stratus.conf'\n");

        assertThat(new PostgresCluster(NO_BINARIES, dir, OsUser.forPostgres("postgres")).isInitialised()).isTrue();
    }

    @Test
    void runningProcessIsNoZombie() {
        assertThat(PostgresCluster.isZombie(ProcessHandle.current().pid())).isFalse();
    }
}
