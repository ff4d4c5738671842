package io.stratus.protocol;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One load sample of a running compute, taken about every second.
 *
 * @param allowedCu             CU the compute was allowed when sampled
 * @param cpuUsedCores          CPU used over the last interval, in cores (1.0 = one vCPU busy)
 * @param throttledFraction     share of the interval the compute's cgroup was throttled (0 when not enforced)
 * @param memoryWorkingSetBytes memory in use minus reclaimable page cache
 * @param memoryLimitBytes      the memory limit, or 0 when none is enforced
 * @param activeConnections     client connections to the tenant's database (the agent's own excluded)
 * @param transactionsPerSecond commits and rollbacks per second in the tenant's database
 * @param oomKills              processes of the compute the kernel's OOM killer killed in the interval (Postgres then
 *                              ends every session to recover); 0 where the host does not count them; null from
 *                              agents that predate it
 * @param newSessions           client sessions established to the tenant's database in the interval (the agent's
 *                              none): a client that connects, runs a statement and leaves between two snapshots of
 *                              {@code activeConnections} still shows here; null from agents that predate it
 *
 * <p>Fields are only ever added, as objects (null: not reported), so that a control plane reads the reports of agents
 * older than itself during a rolling upgrade (a missing primitive fails the whole report).
 */
public record ComputeMetrics(UUID computeId, Instant at, BigDecimal allowedCu, double cpuUsedCores,
                             double throttledFraction, long memoryWorkingSetBytes, long memoryLimitBytes,
                             int activeConnections, double transactionsPerSecond, Integer oomKills, Integer newSessions) {
}
