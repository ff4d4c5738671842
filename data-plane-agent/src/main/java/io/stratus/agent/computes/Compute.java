package io.stratus.agent.computes;

import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.support.Backoff;
import io.stratus.postgres.PostgresCluster;
import io.stratus.protocol.ComputeStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The agent's working knowledge of one compute. Mutated only on the reconcile thread; {@link #status} and
 * {@link #running} are also read by the status reporter and the metrics sampler, hence volatile.
 */
final class Compute {

    static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
    static final Duration RETRY_MAX = Duration.ofMinutes(1);

    final UUID id;
    /** Null while no release on this host can run its data directory. */
    PostgresCluster cluster;
    /** Null until a spec has been applied in full. */
    AppliedCompute applied;
    int restarts;
    /** Reported as the message while the compute is healthy, e.g. after a crash restart. */
    String note;
    /**
     * Found stopped at adoption although applied as running: the agent stopped it at shutdown, or the host went down.
     * Started by the first health pass, and not counted as a crash: the postmaster did not die under this agent.
     */
    boolean startAfterAdoption;
    int failures;
    Instant nextAttempt;
    /**
     * The CU in force while the postmaster runs: its CU-dependent settings were written and reloaded and its cgroup
     * limits (if any) written. Set only after both succeeded.
     */
    BigDecimal cuInForce;
    /** How its CU is enforced; {@code none} until its processes are known to be in its cgroup. */
    String enforcement = CgroupDriver.NONE;
    /** The last cgroup problem the health check logged, so that it is logged once, not every pass. */
    String enforcementProblem;
    /** What the tenant's database stored when last measured against a storage limit; null when not measured. */
    Long storedBytes;
    /** Read-only (a standby) because it stores at least its storage limit, as last observed. */
    boolean storageLimited;
    /** The spec version at which it could not start read-only (see {@link StorageSteps}); not tried again at it. */
    Long limitRefusedAtSpec;
    /**
     * A release or settings this compute failed to come up healthy on and was rolled back from: not tried again while
     * the spec still asks for them (no flapping between two releases), forgotten once it asks for anything else.
     */
    RestartSwitch.Refusal refused;
    /** The last planned restart onto a release or settings ({@link RestartSwitch}); read by the restart task. */
    volatile RestartSwitch.Outcome lastSwitch;
    volatile ComputeStatus status;
    /** Non-null while its postmaster is up and it has been applied; read by the metrics sampler. */
    volatile RunningCompute running;

    Compute(UUID id) {
        this.id = id;
    }

    boolean failed() {
        return failures > 0;
    }

    boolean retryDue(Instant now) {
        return nextAttempt == null || !now.isBefore(nextAttempt);
    }

    /** Counts a failed attempt and puts the next one off by the backoff; returns that wait. */
    Duration attemptFailed(Instant now) {
        failures++;
        Duration wait = Backoff.delayAfter(failures, RETRY_INITIAL, RETRY_MAX);
        nextAttempt = now.plus(wait);
        return wait;
    }

    /** True when a postmaster should be up here but is not: the cluster is known and its postmaster is gone. */
    boolean postmasterDown() {
        return cluster != null && !cluster.isRunning();
    }

    void succeeded() {
        startAfterAdoption = false;
        failures = 0;
        nextAttempt = null;
    }
}
