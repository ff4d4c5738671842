package io.stratus.agent.support;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs a repeated action that keeps failing once per outage: the first failure at warn (or the level given), the ones after it at debug,
 * and the first success after them at info with how many attempts failed. A control plane down for an hour would
 * otherwise fill the log with one warning per heartbeat. Not thread-safe: one per loop.
 */
public final class Outage {

    private final Logger log;
    private final String action;
    private final Level firstFailure;
    private int failuresInARow;

    /** @param action what is attempted, for the messages: "send status", "deliver usage" */
    public Outage(Logger log, String action) {
        this(log, action, Level.WARN);
    }

    /** @param firstFailure the level of an outage's first failure: ERROR where a failure needs a person */
    public Outage(Logger log, String action, Level firstFailure) {
        this.log = log;
        this.action = action;
        this.firstFailure = firstFailure;
    }

    /** The action failed; {@code detail} says why (and what is waiting). */
    public void failed(String detail) {
        if (failuresInARow++ == 0) {
            log.atLevel(firstFailure).log("cannot {}: {}", action, detail);
        } else {
            log.debug("cannot {} (attempt {}): {}", action, failuresInARow, detail);
        }
    }

    /** The action succeeded; ends an outage if one was going on. {@code detail} is added to the recovery message. */
    public void succeeded(String detail) {
        if (failuresInARow > 0) {
            log.info("{}: working again after {} failed attempts{}", action, failuresInARow,
                    detail.isEmpty() ? "" : " (" + detail + ")");
        }
        failuresInARow = 0;
    }

    public void succeeded() {
        succeeded("");
    }
}
