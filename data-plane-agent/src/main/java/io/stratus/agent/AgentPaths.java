package io.stratus.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * Where the agent keeps things under its data directory:
 * <pre>
 * node.json                   node identity and credential (0600)
 * computes/&lt;id&gt;/pgdata       the compute's Postgres cluster
 * computes/&lt;id&gt;/compute.json what the agent applied to it
 * pool/&lt;uuid&gt;/               warm-pool clusters, not yet anyone's
 * releases/                   Postgres releases resolved from Maven Central
 * usage/                      the usage spool: segments of metered records and the spool's state (0700)
 * tasks/&lt;id&gt;.json             each task received and not yet closed by the control plane, with its state
 * </pre>
 */
public record AgentPaths(Path dataDir) {

    public AgentPaths {
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    /** Creates the directories. Traverse-only for others: the Postgres user must reach the clusters below. */
    public AgentPaths prepare() {
        for (Path dir : new Path[] {dataDir, computes(), pool()}) {
            try {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare " + dir, e);
            }
        }
        return this;
    }

    public Path nodeFile() {
        return dataDir.resolve("node.json");
    }

    public Path computes() {
        return dataDir.resolve("computes");
    }

    public Path compute(UUID computeId) {
        return computes().resolve(computeId.toString());
    }

    public Path pgdata(UUID computeId) {
        return compute(computeId).resolve("pgdata");
    }

    public Path appliedFile(UUID computeId) {
        return compute(computeId).resolve("compute.json");
    }

    public Path pool() {
        return dataDir.resolve("pool");
    }

    public Path releases() {
        return dataDir.resolve("releases");
    }

    public Path usage() {
        return dataDir.resolve("usage");
    }

    public Path tasks() {
        return dataDir.resolve("tasks");
    }
}
