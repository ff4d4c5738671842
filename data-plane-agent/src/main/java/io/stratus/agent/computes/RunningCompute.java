package io.stratus.agent.computes;

import io.stratus.postgres.PostgresCluster;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A compute whose postmaster is up, as the metrics sampler needs to see it; a snapshot, published by the reconcile
 * thread after each pass that touched the compute.
 *
 * @param databaseName the tenant's database (counted, never connected to)
 * @param cluster      its Postgres cluster
 * @param socket       its Unix socket, where the front door relays clients to it (it listens on no TCP port)
 * @param appliedCu    the CU in force
 * @param enforcement  {@code cgroup-v2}, {@code cgroup-v1} when the postmaster is in its cgroup, else {@code none}
 */
public record RunningCompute(UUID computeId, String databaseName, PostgresCluster cluster, Path socket, BigDecimal appliedCu,
                             String enforcement) {

    /** True when the compute's processes are in its cgroup, so the group's counters are the compute's. */
    public boolean inCgroup() {
        return !"none".equals(enforcement);
    }
}
