package io.stratus.agent.capacity;

/**
 * The limits a compute's cgroup gets.
 *
 * @param cpuQuotaMicros  CPU time the group may use per period ({@code cpu.cfs_quota_us}, first half of {@code cpu.max})
 * @param cpuPeriodMicros the period ({@code cpu.cfs_period_us}, second half of {@code cpu.max})
 * @param memoryBytes     {@code memory.limit_in_bytes} / {@code memory.max}, page-aligned
 */
public record CgroupLimits(long cpuQuotaMicros, long cpuPeriodMicros, long memoryBytes) {
}
