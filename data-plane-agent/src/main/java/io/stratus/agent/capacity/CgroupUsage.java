package io.stratus.agent.capacity;

import java.util.OptionalLong;

/**
 * Cumulative counters and current gauges of one compute's cgroup, read in one go.
 *
 * @param cpuUsageNanos      CPU time used by the group since it was created; empty when the host has no CPU accounting
 *                           for it (cgroup v1 without a {@code cpuacct} hierarchy)
 * @param cpuPeriods         CFS periods in which the group was runnable ({@code nr_periods})
 * @param cpuThrottledPeriods of those, the periods in which it used up its quota ({@code nr_throttled})
 * @param memoryUsageBytes   memory charged to the group, page cache included
 * @param inactiveFileBytes  page cache the kernel can reclaim first (not part of the working set)
 * @param memoryLimitBytes   the memory limit, 0 when there is none
 * @param oomKills           processes the kernel's OOM killer killed in the group since it was created (v1
 *                           {@code memory.oom_control}, v2 {@code memory.events}; 0 where the kernel does not count)
 */
public record CgroupUsage(OptionalLong cpuUsageNanos, long cpuPeriods, long cpuThrottledPeriods, long memoryUsageBytes,
                          long inactiveFileBytes, long memoryLimitBytes, long oomKills) {

    /** Memory in use minus reclaimable page cache, as the kubelet and cAdvisor compute it. */
    public long workingSetBytes() {
        return Math.max(0, memoryUsageBytes - inactiveFileBytes);
    }
}
