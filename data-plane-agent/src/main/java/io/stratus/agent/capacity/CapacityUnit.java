package io.stratus.agent.capacity;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What one capacity unit (CU) is worth on this host: {@code cpuPerCu} vCPUs and {@code memoryPerCuBytes} of memory
 * (default 1 vCPU + 4 GiB, Neon's unit). Turns a CU into the cgroup limits that enforce it.
 *
 * <p>{@code cpuBurstFraction} of the quota may be banked while a compute runs below its CU and spent in a later
 * period above it (the kernel's CFS burst). A CU is a rate over time, not a ceiling per 100 ms: two requests landing
 * in the same period, or a connection's start-up, should not stall a small compute for the rest of that period when
 * it used far less than its quota before. The average over any longer stretch stays within the quota, so billing CU
 * by quota stays honest. 0 turns it off.
 */
public record CapacityUnit(BigDecimal cpuPerCu, long memoryPerCuBytes, double cpuBurstFraction) {

    /** 1 CU = 1 vCPU + 4 GiB, a full quota's burst. */
    public static final CapacityUnit DEFAULT = new CapacityUnit(BigDecimal.ONE, 4L << 30);

    /** The CFS period limits are expressed in; 100 ms is the kernel's default and what v1 and v2 both use. */
    public static final long CPU_PERIOD_MICROS = 100_000;
    /** The kernel refuses a CFS quota below 1 ms. */
    private static final long MIN_CPU_QUOTA_MICROS = 1_000;
    /** Memory limits are kept in pages; the kernel rounds a limit down to one, so do it first to compare read-backs. */
    private static final long PAGE_BYTES = 4096;

    public CapacityUnit {
        if (cpuPerCu == null || cpuPerCu.signum() <= 0) {
            throw new IllegalArgumentException("cpu-per-cu must be positive");
        }
        if (memoryPerCuBytes <= 0) {
            throw new IllegalArgumentException("memory-per-cu must be positive");
        }
        if (!(cpuBurstFraction >= 0 && cpuBurstFraction <= 1)) {
            throw new IllegalArgumentException("cpu-burst must be between 0 and 1 (a fraction of the quota), not "
                    + cpuBurstFraction);
        }
    }

    /** A unit with a full quota's burst. */
    public CapacityUnit(BigDecimal cpuPerCu, long memoryPerCuBytes) {
        this(cpuPerCu, memoryPerCuBytes, 1.0);
    }

    /** vCPUs granted by {@code cu}. */
    public BigDecimal vcpus(BigDecimal cu) {
        return cu.multiply(cpuPerCu);
    }

    /** Memory granted by {@code cu}, in bytes. */
    public long memoryBytes(BigDecimal cu) {
        return cu.multiply(BigDecimal.valueOf(memoryPerCuBytes)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /**
     * The cgroup limits that enforce {@code cu}: a CFS quota per 100 ms period with its burst, and a page-aligned
     * memory limit.
     */
    public CgroupLimits limits(BigDecimal cu) {
        long quota = Math.max(MIN_CPU_QUOTA_MICROS, vcpus(cu).multiply(BigDecimal.valueOf(CPU_PERIOD_MICROS))
                .setScale(0, RoundingMode.HALF_UP).longValueExact());
        long burst = Math.min(quota, (long) Math.floor(quota * cpuBurstFraction));
        long memory = Math.max(PAGE_BYTES, memoryBytes(cu) / PAGE_BYTES * PAGE_BYTES);
        return new CgroupLimits(quota, CPU_PERIOD_MICROS, burst, memory);
    }
}
