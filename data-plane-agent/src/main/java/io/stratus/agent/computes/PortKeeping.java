package io.stratus.agent.computes;

import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a stopped compute's port bound ({@link PortKeeper}). A port another process took first does not fail the
 * compute (it is stopped as asked): its status says so, the health pass tries again, and it is logged once.
 */
final class PortKeeping {

    private static final Logger log = LoggerFactory.getLogger(PortKeeping.class);

    private final ComputeSteps steps;

    PortKeeping(ComputeSteps steps) {
        this.steps = steps;
    }

    void keep(Compute c, int port) {
        String before = c.portProblem;
        try {
            StepResult.log(log, "ensurePortKept", steps.ensurePortKept(c, port));
            c.portProblem = null;
        } catch (ComputeFailure e) {
            c.portProblem = e.getMessage();
            if (!e.getMessage().equals(before)) {
                log.warn("{}", e.getMessage());
            }
        }
        if (!Objects.equals(before, c.portProblem) && c.status != null
                && c.status.phase() == ComputePhase.STOPPED) {
            NodeBook.setStatus(c, c.status.withMessage(NodeBook.stoppedMessage(c)));
        }
    }

    /**
     * Applied as stopped, to stay stopped, and no postmaster of it runs: its port is the agent's to keep.
     *
     * @param postmasterDown its cluster is known and its postmaster is not running; asked last, a process check
     */
    static boolean stoppedAsApplied(AppliedCompute applied, ComputeSpec target, BooleanSupplier postmasterDown) {
        return applied != null && !applied.spec().running() && !target.running() && postmasterDown.getAsBoolean();
    }
}
