package io.stratus.testing;

import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ReleaseLocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A Postgres release directory that passes for {@code version} of the host's major and never starts: what a
 * botched install looks like to an agent. {@code initdb} and {@code pg_ctl} are the host's, copied (not linked:
 * {@code pg_ctl} looks for {@code postgres} beside its own resolved path); {@code postgres} is a script that gives
 * the fake version and refuses to run, so {@code pg_ctl start} fails on the version check.
 */
public final class BrokenRelease {

    private BrokenRelease() {
    }

    /** Makes {@code <dir>/bin} (readable and runnable by every user: the compute's runs it) and returns {@code dir}. */
    public static Path create(Path dir, String version) {
        PostgresRelease host = new ReleaseLocator(List.of(), null).discover().stream()
                .filter(r -> "host".equals(r.source())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no host Postgres to copy initdb and pg_ctl from"));
        try {
            Path bin = dir.resolve("bin");
            Files.createDirectories(bin);
            for (Path d = bin; d != null && d.startsWith(dir.getParent()); d = d.getParent()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.copy(host.initdb(), bin.resolve("initdb"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(host.pgCtl(), bin.resolve("pg_ctl"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(bin.resolve("postgres"), """
                    #!/bin/sh
                    case "$1" in
                      --version|-V) echo "postgres (PostgreSQL) %s"; exit 0 ;;
                    esac
                    echo "this release is broken on purpose" >&2
                    exit 1
                    """.formatted(version));
            for (String f : List.of("initdb", "pg_ctl", "postgres")) {
                Files.setPosixFilePermissions(bin.resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
