package io.stratus.agent.releases;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.AgentSettings;
import io.stratus.postgres.MavenReleaseResolver;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ReleaseLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The Postgres releases this host can run: configured directories, the host's installation, and releases resolved from
 * Maven Central into {@code <dataDir>/releases}. Discovery runs processes, so its result is cached and refreshed only
 * when a wanted release is missing.
 */
@Component
public class ReleaseCatalog {

    private final ReleaseLocator locator;
    private final MavenReleaseResolver resolver;
    private volatile List<PostgresRelease> known;

    @Autowired
    public ReleaseCatalog(AgentSettings settings, AgentPaths paths) {
        this(settings.releaseDirs(), paths.releases());
    }

    public ReleaseCatalog(List<Path> releaseDirs, Path cache) {
        this.locator = new ReleaseLocator(releaseDirs, cache);
        this.resolver = new MavenReleaseResolver(cache);
    }

    /** Every release found, newest first; resolves the default from Maven Central when the host has none. */
    public List<PostgresRelease> available() {
        List<PostgresRelease> all = refresh();
        if (all.isEmpty()) {
            defaultRelease();
            all = refresh();
        }
        return all;
    }

    /**
     * The release a spec asks for: {@code 15} matches the newest 15.x, {@code 15.4} matches exactly. Never downloads:
     * this runs on the reconcile path.
     */
    public Optional<PostgresRelease> find(String wanted) {
        if (wanted == null || wanted.isBlank()) {
            return Optional.empty();
        }
        Optional<PostgresRelease> hit = match(cached(), wanted);
        return hit.isPresent() ? hit : match(refresh(), wanted);
    }

    /** The release warm-pool clusters are made from: the newest on the host, else one from Maven Central. */
    public PostgresRelease defaultRelease() {
        return locator.defaultRelease(resolver);
    }

    /**
     * Whether the release ships a server library, e.g. {@code pg_stat_statements}: preloading a missing one would stop
     * the postmaster from starting. Debian keeps them in {@code <bin>/../lib}, other layouts in {@code lib/postgresql}.
     */
    public static boolean hasLibrary(PostgresRelease release, String name) {
        Path home = release.binDir().getParent();
        return home != null && (Files.exists(home.resolve("lib").resolve(name + ".so"))
                || Files.exists(home.resolve("lib").resolve("postgresql").resolve(name + ".so")));
    }

    private List<PostgresRelease> cached() {
        List<PostgresRelease> k = known;
        return k != null ? k : refresh();
    }

    private List<PostgresRelease> refresh() {
        List<PostgresRelease> found = locator.discover();
        known = found;
        return found;
    }

    private static Optional<PostgresRelease> match(List<PostgresRelease> releases, String wanted) {
        // Same rule as ReleaseLocator.find, over the cached list: exact, a prefix of the version, or the major.
        return releases.stream()
                .filter(r -> r.version().equals(wanted) || r.version().startsWith(wanted + ".")
                        || String.valueOf(r.major()).equals(wanted))
                .findFirst();
    }
}
