package io.stratus.agent.computes;


/** The steps that start and stop a compute's postmaster. */
final class PostmasterSteps {

    StepResult ensureRunning(Compute c) {
        if (c.cluster.isRunning()) {
            return StepResult.UNCHANGED;
        }
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
}
