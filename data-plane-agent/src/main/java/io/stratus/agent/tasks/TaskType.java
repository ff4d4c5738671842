package io.stratus.agent.tasks;

import io.stratus.agent.computes.RunningCompute;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One kind of one-off work on a compute. Adding a kind is this interface implemented as a Spring bean, with its
 * parameters record; the control plane has its own half (see docs/architecture.md, "Tasks").
 *
 * @param <P> the parameters record, read from the task's JSON parameters (unknown fields refused)
 */
public interface TaskType<P extends Record> {

    /** The name the control plane uses, e.g. {@code checkpoint}. */
    String name();

    Class<P> parameters();

    /**
     * Whether a run cut short by an agent crash may simply run again from the start when the agent is back. Only then
     * is it resumed; otherwise it is reported failed ({@code interrupted-by-agent-restart}), never silently lost.
     */
    boolean resumable();

    /**
     * Does the work; called on a task thread, interrupted when the deadline passes.
     *
     * @param compute  the compute while its postmaster runs, empty while it is stopped (suspended)
     * @param progress where to tell how far it got
     * @return what came of it, reported with {@code SUCCEEDED}
     * @throws TaskFailure to fail with a reason code of the type's own; any other exception fails it with {@code error}
     */
    default Outcome run(Optional<RunningCompute> compute, P parameters, Progress progress) throws Exception {
        throw new UnsupportedOperationException(name() + " needs its compute's id: it implements the other run");
    }

    /**
     * {@link #run(Optional, Record, Progress)} for a type that needs the compute's id as well: a stopped compute has
     * no {@link RunningCompute}, yet its data directory is there (a cold backup copies it).
     */
    default Outcome run(UUID computeId, Optional<RunningCompute> compute, P parameters, Progress progress)
            throws Exception {
        return run(compute, parameters, progress);
    }

    /** A finished run: a line for people and values for programs. */
    record Outcome(String message, Map<String, Object> result) {
    }

    /** Progress so far, 0 to 100. */
    @FunctionalInterface
    interface Progress {
        void report(int percent);
    }
}
