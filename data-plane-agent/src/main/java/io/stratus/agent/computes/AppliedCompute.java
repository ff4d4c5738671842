package io.stratus.agent.computes;

import io.stratus.protocol.ComputeSpec;
import java.util.Set;

/**
 * What the agent last applied to a compute in full, kept in {@code compute.json}. Written only after every step
 * succeeded, so a crash mid-way leaves the previous record and the next pass redoes the work.
 *
 * @param spec     the spec applied
 * @param release  the Postgres version it runs, e.g. {@code 15.14}
 * @param restarts how often the agent restarted it after a crash
 * @param refused  the release and settings a planned restart was rolled back from while the spec still asks for them
 *                 ({@link RestartSwitch}); kept here so that an agent restarted before the control plane takes the
 *                 target back does not try it again. Null when none (and in files written before rolling updates)
 */
record AppliedCompute(ComputeSpec spec, String release, int restarts, RestartSwitch.Refusal refused) {

    AppliedCompute withRestarts(int count) {
        return new AppliedCompute(spec, release, count, refused);
    }

    /** True when {@code other} asks for exactly what was applied (numbers by value: 1 and 1.00 are the same CU). */
    boolean matches(ComputeSpec other, String releaseVersion) {
        return release.equals(releaseVersion) && equivalent(spec, other);
    }

    /** How far {@code other} is from what was applied. */
    enum Change {
        /** Nothing: the same spec, version included. */
        NONE,
        /** Only the CU (and the spec version): settings that follow CU and cgroup limits, no restart, no catalog work. */
        CAPACITY,
        /** Anything else. */
        OTHER
    }

    Change changeTo(ComputeSpec other, String releaseVersion) {
        if (!release.equals(releaseVersion)) {
            return Change.OTHER;
        }
        Set<String> changed = SpecFields.changed(spec, other);
        if (changed.isEmpty()) {
            return Change.NONE;
        }
        return SpecFields.stepFor(changed) == SpecFields.Step.CAPACITY ? Change.CAPACITY : Change.OTHER;
    }

    static boolean equivalent(ComputeSpec a, ComputeSpec b) {
        return SpecFields.changed(a, b).isEmpty();
    }
}
