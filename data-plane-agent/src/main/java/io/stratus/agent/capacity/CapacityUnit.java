package io.stratus.agent.capacity;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What one capacity unit (CU) is worth on this host: {@code cpuPerCu} vCPUs and {@code memoryPerCuBytes} of memory
 * (default 1 vCPU + 4 GiB, Neon's unit). Turns a CU into the cgroup limits that enforce it.
 */
public record CapacityUnit(BigDecimal cpuPerCu, long memoryPerCuBytes) {

    /** 1 CU = 1 vCPU + 4 GiB. */
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
    }

    /** vCPUs granted by {@code cu}. */
    public BigDecimal vcpus(BigDecimal cu) {
        return cu.multiply(cpuPerCu);
    }

    /** Memory granted by {@code cu}, in bytes. */
    public long memoryBytes(BigDecimal cu) {
        return cu.multiply(BigDecimal.valueOf(memoryPerCuBytes)).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** The cgroup limits that enforce {@code cu}: a CFS quota per 100 ms period and a page-aligned memory limit. */
    public CgroupLimits limits(BigDecimal cu) {
        long quota = vcpus(cu).multiply(BigDecimal.valueOf(CPU_PERIOD_MICROS)).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        long memory = Math.max(PAGE_BYTES, memoryBytes(cu) / PAGE_BYTES * PAGE_BYTES);
        return new CgroupLimits(Math.max(MIN_CPU_QUOTA_MICROS, quota), CPU_PERIOD_MICROS, memory);
    }
}
