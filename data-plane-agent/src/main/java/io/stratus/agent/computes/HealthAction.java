package io.stratus.agent.computes;

import io.stratus.protocol.ComputeSpec;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** What a health pass must do for one compute ({@link HealthPass}); at most one thing per pass. */
enum HealthAction {

    /** Healthy as far as a health pass looks, or failed with its backoff still running. */
    NOTHING,
    /** Gone from the control plane's desired state, its deletion failed, and the backoff has passed. */
    DELETE,
    /** Failed, and the backoff has passed: apply its spec again. */
    RETRY,
    /**
     * Found stopped at adoption although applied as running: start it, not counted as a crash (the postmaster did not
     * die under this agent).
     */
    START_AFTER_ADOPTION,
    /** Applied as running, to run, and its postmaster is gone: count a crash and apply its spec again. */
    RESTART_AFTER_CRASH,
    /** Running as applied: make sure its processes are in its cgroup. */
    CHECK_ENROLMENT;

    /**
     * @param target         the spec it should follow; empty when the control plane's desired state does not list it
     * @param desiredKnown   the control plane has spoken since start: until then nothing is deleted
     * @param postmasterDown its cluster is known and its postmaster is not running; a process check, so asked only
     *                       when the decision depends on it
     */
    static HealthAction decide(Compute c, Optional<ComputeSpec> target, boolean desiredKnown, Instant now,
                               BooleanSupplier postmasterDown) {
        if (target.isEmpty()) {
            return desiredKnown && c.failed() && c.retryDue(now) ? DELETE : NOTHING;
        }
        ComputeSpec spec = target.get();
        if (c.failed()) {
            return c.retryDue(now) ? RETRY : NOTHING;
        }
        if (c.startAfterAdoption) {
            return START_AFTER_ADOPTION;
        }
        boolean runsAsApplied = c.applied != null && c.applied.spec().running() && spec.running();
        if (runsAsApplied && postmasterDown.getAsBoolean()) {
            return RESTART_AFTER_CRASH;
        }
        return runsAsApplied ? CHECK_ENROLMENT : NOTHING;
    }
}
