package io.stratus.agent.computes;

import io.stratus.agent.capacity.CapacityUnit;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupException;
import io.stratus.agent.capacity.CgroupLimits;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The steps that make a compute's cgroup enforce its CU ({@link CapacityUnit}, {@link CgroupDriver}). On a node whose
 * driver enforces nothing, each finds nothing to do.
 */
final class CapacitySteps {

    private final CgroupDriver cgroups;
    private final CapacityUnit unit;

    CapacitySteps(CgroupDriver cgroups, CapacityUnit unit) {
        this.cgroups = cgroups;
        this.unit = unit;
    }

    /**
     * Makes the compute's cgroup enforce {@code cu}: the group exists, its limits are {@code cu}'s, and while the
     * postmaster runs, it and every process forked from it are in the group. Looks before it writes, so a compute
     * with everything in place costs a few small reads. {@link Compute#enforcement} says {@code none} unless this
     * succeeded.
     */
    StepResult ensureCapacity(Compute c, BigDecimal cu) {
        c.enforcement = CgroupDriver.NONE;
        if (!cgroups.enforces()) {
            return StepResult.UNCHANGED;
        }
        List<String> done = new ArrayList<>();
        try {
            CgroupLimits limits = unit.limits(cu);
            if (cgroups.applyLimits(c.id, limits)) {
                done.add("limits for " + cu.stripTrailingZeros().toPlainString() + " CU (cpu " + limits.cpuQuotaMicros()
                        + "/" + limits.cpuPeriodMicros() + " us, memory " + limits.memoryBytes() + " bytes)");
            }
            Optional<Long> postmaster = c.cluster.postmasterPid();
            if (postmaster.isPresent()) {
                int moved = cgroups.enroll(c.id, postmaster.get());
                if (moved > 0) {
                    done.add("moved postmaster " + postmaster.get() + (moved > 1 ? " and " + (moved - 1) + " children" : "")
                            + " into its group");
                }
            }
        } catch (CgroupException e) {
            throw new ComputeFailure("cannot enforce " + cu.stripTrailingZeros().toPlainString() + " CU with "
                    + cgroups.enforcement() + ": " + e.getMessage());
        }
        c.enforcement = cgroups.enforcement();
        return done.isEmpty() ? StepResult.UNCHANGED : new StepResult.Changed(cgroups.enforcement() + ": " + String.join(", ", done));
    }

    /**
     * For the health check: a running postmaster is in its cgroup (an adopted compute, one started by hand). Costs
     * one read per hierarchy when it is; only when it is not does it fall back to {@link #ensureCapacity}, with the
     * CU applied last. Limits are otherwise left to the passes that apply a spec.
     */
    StepResult ensureEnrolled(Compute c, BigDecimal cu) {
        if (!cgroups.enforces() || c.cluster == null) {
            return StepResult.UNCHANGED;
        }
        Optional<Long> postmaster = c.cluster.postmasterPid();
        if (postmaster.isEmpty()) {
            return StepResult.UNCHANGED;
        }
        if (cgroups.contains(c.id, postmaster.get())) {
            c.enforcement = cgroups.enforcement();
            return StepResult.UNCHANGED;
        }
        return ensureCapacity(c, cu);
    }

    /** Writes new limits into the compute's existing group (never creates one); the quick path for a CU change. */
    boolean preApplyCapacity(UUID computeId, BigDecimal cu) throws CgroupException {
        return cgroups.enforces() && cgroups.updateLimitsIfPresent(computeId, unit.limits(cu));
    }

    /** Removes the compute's cgroup(s); its processes must be gone. */
    StepResult removeCapacity(UUID computeId) {
        if (!cgroups.enforces()) {
            return StepResult.UNCHANGED;
        }
        try {
            if (!cgroups.groups().contains(computeId)) {
                return StepResult.UNCHANGED;
            }
            cgroups.remove(computeId);
            return new StepResult.Deleted(cgroups.enforcement() + " group");
        } catch (CgroupException e) {
            throw new ComputeFailure("cannot remove its cgroup: " + e.getMessage());
        }
    }
}
