package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.Stream;

/** The computes' directories under {@code computes/}, and the cluster each holds, as the disk shows them. */
final class ComputesOnDisk {

    private final AgentPaths paths;
    private final ReleaseCatalog releases;
    private final OsUser user;
    private final AppliedComputes appliedStore;

    ComputesOnDisk(AgentPaths paths, ReleaseCatalog releases, OsUser user, AppliedComputes appliedStore) {
        this.paths = paths;
        this.releases = releases;
        this.user = user;
        this.appliedStore = appliedStore;
    }

    /** The ids of the compute directories, in order; other entries are not the agent's. */
    List<UUID> ids() {
        if (!Files.isDirectory(paths.computes())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(paths.computes())) {
            return s.filter(Files::isDirectory).filter(p -> isUuid(p.getFileName().toString())).sorted()
                    .map(p -> UUID.fromString(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + paths.computes(), e);
        }
    }

    /**
     * The cluster in computes/<id>/pgdata, run by the release it was applied with, or any of its major.
     *
     * @param known the agent's compute of that id, if it knows one: its record is taken instead of compute.json's
     */
    Optional<PostgresCluster> cluster(UUID id, Compute known) {
        Optional<PostgresRelease> release = Optional.empty();
        AppliedCompute applied = known != null ? known.applied : appliedStore.read(id).orElse(null);
        if (applied != null) {
            release = releases.find(applied.release()).filter(r -> r.version().equals(applied.release()));
        }
        if (release.isEmpty()) {
            OptionalInt major = DataDirectorySteps.majorOnDisk(paths.pgdata(id));
            if (major.isPresent()) {
                release = releases.find(String.valueOf(major.getAsInt()));
            }
        }
        return release.map(r -> new PostgresCluster(r, paths.pgdata(id), user));
    }

    private static boolean isUuid(String s) {
        try {
            return UUID.fromString(s).toString().equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
