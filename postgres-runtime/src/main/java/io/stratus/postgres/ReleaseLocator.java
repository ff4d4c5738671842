package io.stratus.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Postgres releases a host can run: configured directories first, then the host's installation
 * ({@code pg_config --bindir} and {@code /usr/lib/postgresql/*}{@code /bin}), then releases already resolved from
 * Maven Central into the cache. One release per version; the first place that has it wins.
 */
public final class ReleaseLocator {

    private static final Logger log = LoggerFactory.getLogger(ReleaseLocator.class);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+(?:\\.\\d+)?)");

    private final List<Path> configuredDirs;
    private final Path mavenCache;

    public ReleaseLocator(List<Path> configuredDirs, Path mavenCache) {
        this.configuredDirs = List.copyOf(configuredDirs);
        this.mavenCache = mavenCache;
    }

    /** Every release found, newest first. */
    public List<PostgresRelease> discover() {
        Map<String, PostgresRelease> byVersion = new LinkedHashMap<>();
        for (Path dir : configuredDirs) {
            probe(binDirOf(dir), "configured").ifPresent(r -> byVersion.putIfAbsent(r.version(), r));
        }
        for (Path dir : hostBinDirs()) {
            probe(dir, "host").ifPresent(r -> byVersion.putIfAbsent(r.version(), r));
        }
        if (mavenCache != null && Files.isDirectory(mavenCache)) {
            try (Stream<Path> dirs = Files.list(mavenCache)) {
                dirs.filter(d -> Files.exists(d.resolve(MavenReleaseResolver.COMPLETE_MARKER)))
                        .forEach(d -> probe(d.resolve("bin"), "maven").ifPresent(r -> byVersion.putIfAbsent(r.version(), r)));
            } catch (IOException e) {
                log.warn("cannot list release cache {}: {}", mavenCache, e.getMessage());
            }
        }
        List<PostgresRelease> all = new ArrayList<>(byVersion.values());
        all.sort(PostgresRelease.NEWEST_FIRST);
        return all;
    }

    /**
     * The release to use when none is asked for: the newest on the host, or else one resolved from Maven Central.
     */
    public PostgresRelease defaultRelease(MavenReleaseResolver resolver) {
        List<PostgresRelease> found = discover();
        if (!found.isEmpty()) {
            return found.get(0);
        }
        log.info("no Postgres release on this host; resolving {} from Maven Central", MavenReleaseResolver.DEFAULT_VERSION);
        return resolver.resolve(MavenReleaseResolver.DEFAULT_VERSION);
    }

    /** The release whose version is {@code version} or starts with {@code version + "."}. */
    public Optional<PostgresRelease> find(String version) {
        return discover().stream()
                .filter(r -> r.version().equals(version) || r.version().startsWith(version + ".")
                        || String.valueOf(r.major()).equals(version))
                .findFirst();
    }

    private static Path binDirOf(Path dir) {
        return Files.isDirectory(dir.resolve("bin")) ? dir.resolve("bin") : dir;
    }

    private static List<Path> hostBinDirs() {
        List<Path> dirs = new ArrayList<>();
        ProcessRunner.Result pgConfig = ProcessRunner.run(List.of("pg_config", "--bindir"), Duration.ofSeconds(5));
        if (pgConfig.ok()) {
            dirs.add(Path.of(pgConfig.output().trim()));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(v -> v.resolve("bin")).filter(Files::isDirectory).forEach(dirs::add);
            } catch (IOException e) {
                log.debug("cannot list {}", debian, e);
            }
        }
        return dirs;
    }

    static Optional<PostgresRelease> probe(Path binDir, String source) {
        PostgresRelease candidate = new PostgresRelease("0", binDir, source);
        if (!candidate.isComplete()) {
            return Optional.empty();
        }
        ProcessRunner.Result r = ProcessRunner.run(List.of(candidate.postgres().toString(), "--version"), Duration.ofSeconds(10));
        Matcher m = VERSION.matcher(r.output());
        if (!r.ok() || !m.find()) {
            log.debug("{} does not look like a Postgres release: {}", binDir, r.output());
            return Optional.empty();
        }
        return Optional.of(new PostgresRelease(m.group(1), binDir, source));
    }
}
