package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The node's book of computes: every {@link Compute} the agent knows, their statuses, the generations observed and
 * reconciled, and the {@link ComputesChanged} event when any of that changed after a pass.
 *
 * <p>Written on the reconcile thread only; {@link #observe()} and {@link #running()} are safe from any thread.
 */
final class NodeBook {

    private final ApplicationEventPublisher events;
    /** Mutated on the reconcile thread only; read by {@link #observe()} from any thread. */
    private final Map<UUID, Compute> computes = new ConcurrentHashMap<>();
    /** The last desired state a pass took up; null until the control plane has spoken since start. */
    private volatile DesiredState desired;
    private volatile long observedGeneration;
    private volatile long reconciledGeneration;
    private NodeObservation lastPublished;

    NodeBook(ApplicationEventPublisher events) {
        this.events = events;
    }

    /** The compute, or null when the agent does not know it. */
    Compute get(UUID id) {
        return computes.get(id);
    }

    /** The compute, made known (with no status yet) when it was not. */
    Compute getOrAdd(UUID id) {
        return computes.computeIfAbsent(id, Compute::new);
    }

    void add(Compute c) {
        computes.put(c.id, c);
    }

    void remove(UUID id) {
        computes.remove(id);
    }

    boolean knows(UUID id) {
        return computes.containsKey(id);
    }

    /** A copy, so that a pass may add and remove computes while it walks them. */
    List<Compute> computes() {
        return List.copyOf(computes.values());
    }

    /** The last desired state a pass took up; null until the control plane has spoken since start. */
    DesiredState desired() {
        return desired;
    }

    void tookUp(DesiredState state) {
        desired = state;
    }

    /**
     * Every compute was tried and every unwanted one deleted (or still listed, failed): what the control plane needs
     * to finish deletions, which one failing compute must not hold back.
     */
    void reconciled(long generation) {
        reconciledGeneration = Math.max(reconciledGeneration, generation);
    }

    /** The desired state's generation is observed once the node holds exactly its computes, each applied and healthy. */
    void updateObservedGeneration() {
        DesiredState state = desired;
        if (state == null) {
            return;
        }
        boolean full = computes.keySet().equals(
                state.computes().stream().map(ComputeSpec::computeId).collect(Collectors.toSet()))
                && state.computes().stream().allMatch(spec -> {
                    Compute c = computes.get(spec.computeId());
                    return !c.failed() && c.applied != null && AppliedCompute.equivalent(c.applied.spec(), spec);
                });
        if (full) {
            observedGeneration = state.generation();
        }
    }

    /** The computes whose postmaster is up, as last published by the reconcile thread; safe from any thread. */
    List<RunningCompute> running() {
        return computes.values().stream().map(c -> c.running).filter(r -> r != null)
                .sorted(Comparator.comparing(RunningCompute::computeId)).toList();
    }

    /** Every compute's status and the generations reconciled fully and passed through; safe from any thread. */
    NodeObservation observe() {
        List<ComputeStatus> statuses = computes.values().stream().map(c -> c.status).filter(s -> s != null)
                .sorted(Comparator.comparing(ComputeStatus::computeId)).toList();
        return new NodeObservation(observedGeneration, statuses, reconciledGeneration);
    }

    /** After a pass: tells the listeners when what it observes differs from what it told them last. */
    NodeObservation publishIfChanged() {
        NodeObservation now = observe();
        if (!now.equals(lastPublished)) {
            lastPublished = now;
            events.publishEvent(new ComputesChanged(now));
        }
        return now;
    }

    ComputeStatus status(Compute c, ComputePhase phase, String release, boolean accepting, String message) {
        String version = release != null ? release : c.applied != null ? c.applied.release()
                : c.cluster != null ? c.cluster.release().version() : null;
        long specVersion = c.applied != null ? c.applied.spec().specVersion() : 0;
        // CU is in force only while a postmaster runs: a stopped (suspended) compute reports 0.
        boolean up = phase == ComputePhase.RUNNING
                || (phase == ComputePhase.FAILED && c.cluster != null && c.cluster.isRunning());
        BigDecimal appliedCu = up && c.cuInForce != null ? c.cuInForce : BigDecimal.ZERO;
        return new ComputeStatus(c.id, phase, specVersion, version, accepting, c.restarts, message,
                appliedCu, c.enforcement, c.storedBytes, c.storageLimited);
    }

    /** Sets the status, and the snapshot the metrics sampler reads: present while CU is in force. */
    static void setStatus(Compute c, ComputeStatus status) {
        c.status = status;
        c.running = status.appliedCu().signum() > 0 && c.cluster != null && c.applied != null
                ? new RunningCompute(c.id, c.applied.spec().databaseName(), c.cluster,
                        ComputeConventions.socket(c.cluster.dataDir().getParent()),
                        status.appliedCu(),
                        status.enforcement())
                : null;
    }

    /** A stopped compute's status message. */
    static String stoppedMessage(Compute c) {
        return c.note;
    }
}
