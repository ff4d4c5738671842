package io.stratus.agent.computes;

import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The health pass, on the reconcile thread: restarts crashed postmasters, retries failed computes whose backoff has
 * passed, starts computes adoption found stopped, and keeps running computes in their cgroups and stopped computes'
 * ports bound. What it does for each compute is {@link HealthAction}'s decision.
 */
final class HealthPass {

    static final String RESTARTED_AFTER_CRASH = "restarted after crash";

    private static final Logger log = LoggerFactory.getLogger(HealthPass.class);

    private final NodeBook book;
    private final SpecApplication application;
    private final ComputeDeletion deletion;
    private final ComputeSteps steps;
    private final AppliedComputes appliedStore;
    private final Clock clock;

    HealthPass(NodeBook book, SpecApplication application, ComputeDeletion deletion, 
               ComputeSteps steps, AppliedComputes appliedStore, Clock clock) {
        this.book = book;
        this.application = application;
        this.deletion = deletion;
        this.steps = steps;
        this.appliedStore = appliedStore;
        this.clock = clock;
    }

    void run() {
        DesiredState state = book.desired();
        for (Compute c : book.computes()) {
            Optional<ComputeSpec> target = targetSpec(c, state);
            switch (HealthAction.decide(c, target, state != null, clock.instant(), c::postmasterDown)) {
                case NOTHING -> {
                }
                case DELETE -> deletion.delete(c);
                case RETRY -> application.apply(target.get());
                case START_AFTER_ADOPTION -> {
                    c.startAfterAdoption = false;
                    application.apply(target.get());
                }
                case RESTART_AFTER_CRASH -> {
                    countCrash(c);
                    application.apply(target.get());
                }
                case CHECK_ENROLMENT -> checkEnrolled(c);
            }
        }
        if (state != null) {
            book.updateObservedGeneration();
        }
    }

    /** The spec a compute should follow: the control plane's when it has spoken, else the one last applied. */
    static Optional<ComputeSpec> targetSpec(Compute c, DesiredState state) {
        if (state != null) {
            return state.computes().stream().filter(s -> s.computeId().equals(c.id)).findFirst();
        }
        return Optional.ofNullable(c.applied).map(AppliedCompute::spec);
    }

    private void countCrash(Compute c) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            c.restarts++;
            c.note = RESTARTED_AFTER_CRASH;
            log.warn("postmaster is gone; restarting it (restart #{})", c.restarts);
            c.cuInForce = BigDecimal.ZERO;
            if (c.applied != null) {
                // Count it before the attempt: a crash loop must show, even if the restart itself fails.
                c.applied = c.applied.withRestarts(c.restarts);
                appliedStore.write(c.applied);
            }
        }
    }

    /**
     * A running compute's processes are in its cgroup: adopted computes get enrolled here, and so does a postmaster
     * someone restarted by hand. A failure does not fail the compute (it keeps serving); its status says {@code none}.
     */
    private void checkEnrolled(Compute c) {
        String before = c.enforcement;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            BigDecimal cu = c.cuInForce != null && c.cuInForce.signum() > 0 ? c.cuInForce
                    : ComputeConfig.effectiveCu(c.applied.spec());
            StepResult.log(log, "ensureEnrolled", steps.ensureEnrolled(c, cu));
            c.enforcementProblem = null;
        } catch (ComputeFailure e) {
            if (!e.getMessage().equals(c.enforcementProblem)) {
                log.warn("{}; CU not enforced for now", e.getMessage());
            }
            c.enforcementProblem = e.getMessage();
        }
        if (!c.enforcement.equals(before) && c.status != null) {
            NodeBook.setStatus(c, c.status.withEnforcement(c.enforcement));
        }
    }
}
