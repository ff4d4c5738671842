package io.stratus.agent.computes;

/** A compute cannot reach its desired state for a reason the agent can name; the message is reported as is. */
final class ComputeFailure extends RuntimeException {

    ComputeFailure(String message) {
        super(message);
    }
}
