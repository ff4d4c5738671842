package io.stratus.agent.capacity;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Enforces computes' CU with cgroups: one group per compute, {@code <parent>/<computeId>} in every hierarchy used,
 * holding its postmaster and every process forked from it. Which implementation a host gets is decided once, at
 * start, by {@link CgroupDetector} trying what it would do for real; a host where nothing is writable gets
 * {@link NoCgroupDriver}, and says so as {@code none} in its status rather than pretend.
 *
 * <p>Every operation is idempotent: it looks before it writes, so calling it on every reconcile pass costs a few small
 * reads. Methods may be called from the reconcile thread and the desired-state thread at once; each write is a single
 * write(2) to a kernel file, so the worst a race does is apply one CU a moment before the other.
 */
public sealed interface CgroupDriver permits CgroupV1Driver, CgroupV2Driver, NoCgroupDriver {

    String NONE = "none";

    /** How CU is enforced: {@code cgroup-v2}, {@code cgroup-v1} or {@code none}; reported in status as is. */
    String enforcement();

    /** False only for {@link NoCgroupDriver}. */
    default boolean enforces() {
        return true;
    }

    /**
     * Creates the compute's group where missing and writes the limits that differ from the wanted ones.
     *
     * @return true when anything was created or written
     */
    boolean applyLimits(UUID computeId, CgroupLimits limits) throws CgroupException;

    /**
     * Writes the limits that differ, but only into a group that already exists (never creates one): the quick path for
     * a CU change, taken before the reconcile pass that applies it in full.
     *
     * @return true when anything was written
     */
    boolean updateLimitsIfPresent(UUID computeId, CgroupLimits limits) throws CgroupException;

    /**
     * Puts the postmaster into the compute's group(s), then every process already forked from it; processes forked
     * later inherit the postmaster's group. Where the postmaster is already in, there is nothing to do (its current
     * children were moved along with it), so a pass that finds everything in place reads one file per hierarchy.
     *
     * @return how many processes were moved
     */
    int enroll(UUID computeId, long postmasterPid) throws CgroupException;

    /** True when the process is in the compute's group in every hierarchy used. */
    boolean contains(UUID computeId, long pid);

    /** The group's counters, or empty when it does not exist (or cannot be read right now). */
    Optional<CgroupUsage> usage(UUID computeId);

    /** Removes the compute's group(s); its processes must be gone (a group that holds one cannot be removed). */
    void remove(UUID computeId) throws CgroupException;

    /** The computes that have a group under the parent. */
    Set<UUID> groups();

    /** Removes the parent group itself if no compute group is left in it (tests, uninstalling); never throws. */
    void removeParentIfEmpty();
}
