package io.stratus.agent.computes;

import java.io.IOException;

/**
 * The steps that start and stop a compute's postmaster, and keep its port while it is stopped ({@link PortKeeper}):
 * the port passes between the two, so that no other process takes it in between.
 */
final class PostmasterSteps {

    private final PortKeeper ports;

    PostmasterSteps(PortKeeper ports) {
        this.ports = ports;
    }

    StepResult ensureRunning(Compute c) {
        if (c.cluster.isRunning()) {
            return StepResult.UNCHANGED;
        }
        // The port kept while the compute was stopped is the postmaster's again.
        ports.release(c.id);
        c.cluster.start();
        return new StepResult.Changed("started postmaster " + c.cluster.postmasterPid().map(String::valueOf).orElse("?"));
    }

    StepResult ensureStopped(Compute c) {
        if (!c.cluster.isRunning()) {
            return StepResult.UNCHANGED;
        }
        c.cluster.stop();
        return new StepResult.Changed("stopped postmaster");
    }

    /**
     * A stopped compute's port stays bound by the agent ({@link PortKeeper}) until the postmaster starts again.
     *
     * @throws ComputeFailure another process holds the port; the compute is stopped as asked, but cannot resume until
     *                        the port is free
     */
    StepResult ensurePortKept(Compute c, int port) {
        try {
            return ports.hold(c.id, port);
        } catch (IOException e) {
            throw new ComputeFailure("port " + port + " is taken by another process (" + e.getMessage()
                    + "); the compute cannot resume until it is free");
        }
    }

    /** Lets a compute's kept port go (the compute is deleted). */
    void releasePort(Compute c) {
        ports.release(c.id);
    }
}
