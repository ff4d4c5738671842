package io.stratus.agent.computes;

import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Adoption at start: knows every compute on disk before the control plane speaks, and reports them from
 * compute.json at once. A postmaster a killed agent left running is taken over as it is, never restarted; what needs
 * doing (a start, a cgroup enrolment) is left to the first health pass.
 */
final class ComputeAdoption {

    private static final Logger log = LoggerFactory.getLogger(ComputeAdoption.class);

    private final NodeBook book;
    private final ComputesOnDisk disk;
    private final AppliedComputes appliedStore;
    private final ComputeSteps steps;
    private final CgroupDriver cgroups;
    private final Clock clock;

    ComputeAdoption(NodeBook book, ComputesOnDisk disk, AppliedComputes appliedStore, ComputeSteps steps,
                    CgroupDriver cgroups, Clock clock) {
        this.book = book;
        this.disk = disk;
        this.appliedStore = appliedStore;
        this.steps = steps;
        this.cgroups = cgroups;
        this.clock = clock;
    }

    void adopt() {
        for (UUID id : disk.ids()) {
            Compute c = new Compute(id);
            try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", id.toString())) {
                c.applied = appliedStore.read(id).orElse(null);
                // A target rolled back from before this agent started stays refused while the spec asks for it.
                c.refused = c.applied == null ? null : c.applied.refused();
                c.restarts = c.applied != null ? c.applied.restarts() : 0;
                c.cluster = disk.cluster(id, book.get(id)).orElse(null);
                if (c.applied != null && c.cluster != null && c.cluster.isRunning()) {
                    // Its settings files say what the last agent applied; the health pass checks its cgroup.
                    c.cuInForce = ComputeConfig.effectiveCu(c.applied.spec());
                }
                NodeBook.setStatus(c, adoptedStatus(book, c, clock.instant(), () -> c.cluster.isRunning(),
                        () -> steps.probe(c, c.applied.spec())));
                book.add(c);
                log.info("adopted compute: {} {}", c.status.phase(),
                        c.cluster != null && c.cluster.isRunning() ? "(postmaster " + c.cluster.postmasterPid().orElse(0L) + " left running)" : "");
            }
        }
        removeOrphanedCgroups();
    }

    /**
     * How a compute found on disk is reported before anything is done to it, and what the passes after adoption owe
     * it: one without a release to run it is failed with its retry due at once, one applied as running but found
     * stopped is started by the first health pass.
     *
     * @param postmasterUp whether its postmaster runs; asked only when it has a cluster (a process check)
     * @param probe        a login probe on its port; asked only when it should run and does
     */
    static ComputeStatus adoptedStatus(NodeBook book, Compute c, Instant now, BooleanSupplier postmasterUp,
                                       Supplier<LoginProbe.Result> probe) {
        if (c.applied == null) {
            return book.status(c, ComputePhase.STARTING, null, false, "found on disk, never applied in full");
        }
        ComputeSpec spec = c.applied.spec();
        if (c.cluster == null) {
            c.failures = 1;
            c.nextAttempt = now;
            return book.status(c, ComputePhase.FAILED, c.applied.release(), false,
                    "no Postgres release on this node runs its data directory");
        }
        boolean running = postmasterUp.getAsBoolean();
        if (spec.running()) {
            if (!running) {
                c.startAfterAdoption = true;
                return book.status(c, ComputePhase.STARTING, c.applied.release(), false,
                        "postmaster not running");
            }
            LoginProbe.Result result = probe.get();
            return book.status(c, ComputePhase.RUNNING, c.applied.release(), result.acceptingLogins(),
                    result.acceptingLogins() ? null : result.detail());
        }
        return book.status(c, running ? ComputePhase.RUNNING : ComputePhase.STOPPED, c.applied.release(),
                false, running ? "running although stopped in its spec" : null);
    }

    /** Groups of computes that are gone from disk: a crash mid-delete, or a probe interrupted at start. */
    private void removeOrphanedCgroups() {
        for (UUID id : cgroups.groups()) {
            if (!book.knows(id)) {
                try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", id.toString())) {
                    StepResult.log(log, "removeOrphanedCgroup", steps.removeCapacity(id));
                } catch (ComputeFailure e) {
                    log.warn("cannot remove orphaned cgroup: {}", e.getMessage());
                }
            }
        }
    }
}
