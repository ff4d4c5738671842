package io.stratus.agent.tasks;

import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * {@code restart-on-release}: one compute's step of a rolling update. The control plane puts the target release (and
 * settings) in the compute's spec and queues this task with the spec version that carries them, in one transaction.
 * The reconciler does the restart, since the spec is desired state and it alone starts and stops postmasters (a task
 * that restarted the compute itself would fight it); see {@code RestartSwitch}. This task waits for the reconciler to
 * have applied that spec version, and says how it went: the release the compute runs, the one it ran before, how
 * long new connections were held; or, failed with {@code rolled-back}, the error and the release it kept.
 *
 * <p>Resumable: after an agent kill -9 the new agent adopts the compute on whichever binaries run and its first pass
 * finishes the switch (or rolls it back); waiting again reports that end. The hold time of a restart cut by a crash is
 * not known then, and not reported.
 */
@Component
class RestartOnReleaseTask implements TaskType<RestartOnReleaseTask.Parameters> {

    static final String NAME = "restart-on-release";
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration OUTCOME_WAIT = Duration.ofSeconds(2);

    /**
     * @param computeId   the compute (the task's own; named here too because a stopped compute is looked up by it)
     * @param specVersion the compute's spec version that carries the target
     * @param release     the target's full version, e.g. {@code 15.18}
     * @param settings    the target's operator settings (informative: the spec carries them)
     */
    record Parameters(UUID computeId, long specVersion, String release, Map<String, String> settings) {
    }

    private final ComputeReconciler reconciler;

    RestartOnReleaseTask(ComputeReconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Class<Parameters> parameters() {
        return Parameters.class;
    }

    @Override
    public boolean resumable() {
        return true;
    }

    @Override
    public Outcome run(Optional<RunningCompute> compute, Parameters p, Progress progress) throws Exception {
        if (p.computeId() == null || p.release() == null || p.specVersion() <= 0) {
            throw new TaskFailure("invalid-parameters", "computeId, release and specVersion are required");
        }
        progress.report(10);
        long appliedAt = 0;
        while (true) {
            ComputeStatus s = reconciler.observe().computes().stream()
                    .filter(c -> c.computeId().equals(p.computeId())).findFirst().orElse(null);
            boolean applied = s != null && s.specVersion() >= p.specVersion()
                    && (s.phase() == ComputePhase.RUNNING || s.phase() == ComputePhase.STOPPED);
            if (applied) {
                Optional<ComputeReconciler.RestartOutcome> restart = reconciler.lastRestart(p.computeId())
                        .filter(r -> r.specVersion() == p.specVersion());
                appliedAt = appliedAt == 0 ? System.nanoTime() : appliedAt;
                // The status is published a moment before the restart's outcome; an agent restarted since the switch
                // has no outcome at all, so it is waited for only briefly.
                if (restart.isPresent() || s.phase() == ComputePhase.STOPPED
                        || System.nanoTime() - appliedAt > OUTCOME_WAIT.toNanos()) {
                    return outcome(s, p, restart);
                }
            } else {
                appliedAt = 0;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static Outcome outcome(ComputeStatus s, Parameters p, Optional<ComputeReconciler.RestartOutcome> restart)
            throws TaskFailure {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("release", s.release());
        restart.ifPresent(r -> {
            result.put("previousRelease", r.fromRelease());
            result.put("heldMillis", r.heldMillis());
        });
        if (s.phase() == ComputePhase.STOPPED) {
            result.put("stopped", true);
            return new Outcome("stopped: starts on Postgres " + s.release() + " next time", result);
        }
        if (restart.isPresent() && restart.get().error() != null) {
            throw new TaskFailure("rolled-back", restart.get().error() + "; running Postgres " + s.release());
        }
        if (!p.release().equals(s.release())) {
            // Applied, but not on the target: rolled back before this agent started (a restart cut by a crash that
            // failed again), or the spec changed since.
            throw new TaskFailure("rolled-back", "the compute runs Postgres " + s.release() + ", not " + p.release()
                    + (s.message() == null ? "" : ": " + s.message()));
        }
        return new Outcome("running Postgres " + s.release(), result);
    }
}
