package io.stratus.agent.computes;

import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * What the agent last applied to a compute in full, kept in {@code compute.json}. Written only after every step
 * succeeded, so a crash mid-way leaves the previous record and the next pass redoes the work.
 *
 * @param spec     the spec applied
 * @param release  the Postgres version it runs, e.g. {@code 15.14}
 * @param restarts how often the agent restarted it after a crash
 */
record AppliedCompute(ComputeSpec spec, String release, int restarts) {

    AppliedCompute withRestarts(int count) {
        return new AppliedCompute(spec, release, count);
    }

    /** True when {@code other} asks for exactly what was applied (CU compared by value: 1 and 1.00 are the same). */
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
        if (equivalent(spec, other)) {
            return Change.NONE;
        }
        ComputeSpec otherWithOurCu = new ComputeSpec(other.computeId(), other.databaseName(), other.ownerRole(),
                other.ownerVerifier(), other.running(), spec.cu(), other.minCu(), other.maxCu(), other.port(),
                other.release(), spec.specVersion());
        return equivalent(spec, otherWithOurCu) ? Change.CAPACITY : Change.OTHER;
    }

    static boolean equivalent(ComputeSpec a, ComputeSpec b) {
        return a.computeId().equals(b.computeId()) && Objects.equals(a.databaseName(), b.databaseName())
                && Objects.equals(a.ownerRole(), b.ownerRole()) && Objects.equals(a.ownerVerifier(), b.ownerVerifier())
                && a.running() == b.running() && sameNumber(a.cu(), b.cu()) && sameNumber(a.minCu(), b.minCu())
                && sameNumber(a.maxCu(), b.maxCu()) && a.port() == b.port() && Objects.equals(a.release(), b.release())
                && a.specVersion() == b.specVersion();
    }

    private static boolean sameNumber(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }
}
