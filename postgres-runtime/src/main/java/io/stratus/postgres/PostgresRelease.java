package io.stratus.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * A directory of Postgres server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) of one version.
 *
 * @param version full version as {@code postgres --version} prints it, e.g. {@code 15.18}
 * @param binDir  the directory holding the binaries
 * @param source  where it came from: {@code configured}, {@code host} or {@code maven}
 */
public record PostgresRelease(String version, Path binDir, String source) {

    /** Newest first, by numeric major then minor version. */
    public static final Comparator<PostgresRelease> NEWEST_FIRST =
            Comparator.comparingInt(PostgresRelease::major).thenComparingInt(PostgresRelease::minor).reversed();

    public int major() {
        return Integer.parseInt(version.split("\\.")[0]);
    }

    public int minor() {
        String[] parts = version.split("\\.");
        return parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
    }

    public Path initdb() {
        return binDir.resolve("initdb");
    }

    public Path pgCtl() {
        return binDir.resolve("pg_ctl");
    }

    public Path postgres() {
        return binDir.resolve("postgres");
    }

    /** {@code psql} when the release ships it (the embedded releases do not). */
    public Path psql() {
        return binDir.resolve("psql");
    }

    public boolean isComplete() {
        return Files.isExecutable(initdb()) && Files.isExecutable(pgCtl()) && Files.isExecutable(postgres());
    }

    /** A stable name for the release, e.g. {@code 15.18}. */
    public String name() {
        return version;
    }
}
