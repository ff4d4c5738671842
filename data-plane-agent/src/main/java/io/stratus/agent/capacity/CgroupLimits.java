package io.stratus.agent.capacity;

/**
 * The limits a compute's cgroup gets.
 *
 * @param cpuQuotaMicros  CPU time the group may use per period ({@code cpu.cfs_quota_us}, first half of {@code cpu.max})
 * @param cpuPeriodMicros the period ({@code cpu.cfs_period_us}, second half of {@code cpu.max})
 * @param cpuBurstMicros  unused quota the group may bank and spend above its quota in a later period
 *                        ({@code cpu.cfs_burst_us} / {@code cpu.max.burst}); at most the quota, 0 for none
 * @param memoryBytes     {@code memory.limit_in_bytes} / {@code memory.max}, page-aligned
 */
public record CgroupLimits(long cpuQuotaMicros, long cpuPeriodMicros, long cpuBurstMicros, long memoryBytes) {

    public CgroupLimits {
        if (cpuBurstMicros < 0 || cpuBurstMicros > cpuQuotaMicros) {
            // The kernel refuses a burst above the quota (EINVAL); say so here rather than at the write.
            throw new IllegalArgumentException("cpu burst must be between 0 and the quota, not " + cpuBurstMicros);
        }
    }
}
