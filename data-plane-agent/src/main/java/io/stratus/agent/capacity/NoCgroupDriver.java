package io.stratus.agent.capacity;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A host where the agent cannot write cgroups (or was told not to): nothing is enforced, CU-dependent Postgres
 * settings still follow the CU, and status says {@value CgroupDriver#NONE}.
 */
public final class NoCgroupDriver implements CgroupDriver {

    @Override
    public String enforcement() {
        return NONE;
    }

    @Override
    public boolean enforces() {
        return false;
    }

    @Override
    public boolean applyLimits(UUID computeId, CgroupLimits limits) {
        return false;
    }

    @Override
    public boolean updateLimitsIfPresent(UUID computeId, CgroupLimits limits) {
        return false;
    }

    @Override
    public int enroll(UUID computeId, long postmasterPid) {
        return 0;
    }

    @Override
    public boolean contains(UUID computeId, long pid) {
        return false;
    }

    @Override
    public Optional<CgroupUsage> usage(UUID computeId) {
        return Optional.empty();
    }

    @Override
    public void remove(UUID computeId) {
    }

    @Override
    public Set<UUID> groups() {
        return Set.of();
    }

    @Override
    public void removeParentIfEmpty() {
    }

    @Override
    public String toString() {
        return "no cgroups";
    }
}
