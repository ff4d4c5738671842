package io.stratus.agent.support;

import org.slf4j.Logger;

/**
 * Logs a repeated action that keeps failing once per outage: the first failure at warn, the ones after it at debug,
 * and the first success after them at info with how many attempts failed. A control plane down for an hour would
 * otherwise fill the log with one warning per heartbeat. Not thread-safe: one per loop.
 */
public final class Outage {

    private final Logger log;
    private final String action;
    private int failuresInARow;

    /** @param action what is attempted, for the messages: "send status", "deliver usage" */
    public Outage(Logger log, String action) {
        this.log = log;
        this.action = action;
    }

    /** The action failed; {@code detail} says why (and what is waiting). */
    public void failed(String detail) {
        if (failuresInARow++ == 0) {
            log.warn("cannot {}: {}", action, detail);
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
