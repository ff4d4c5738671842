package io.stratus.agent.computes;

/**
 * A compute that is on its way and needs nothing from this pass: its data directory is being restored in the
 * background. Not a failure: no backoff, the status says what it waits for.
 */
final class ComputePending extends RuntimeException {

    ComputePending(String message) {
        super(message, null, false, false);
    }
}
