package io.stratus.controlplane.databases;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Component;

/**
 * Waits, bounded, until the agent has applied a database's new spec, so that a password handed out in a response
 * already works when the client reads it.
 */
@Component
class SpecApplyWait {

    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 25;

    /** @return whether the condition held before the wait ran out */
    boolean await(BooleanSupplier applied) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        while (!applied.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
