package io.stratus.agent.support;

import java.time.Duration;

/**
 * Exponential backoff: {@code initial}, doubling on every failure up to {@code max}, back to {@code initial} after a
 * success. Not thread-safe: one per retry loop.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The delay before the next attempt, counting one more failure. */
    public Duration next() {
        return delayAfter(++failures, initial, max);
    }

    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }

    /** The delay after {@code failures} consecutive failures (1 gives {@code initial}). */
    public static Duration delayAfter(int failures, Duration initial, Duration max) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - 1, 30);
        Duration d = initial.multipliedBy(1L << doublings);
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Sleeps for the next delay; keeps the interrupt for the caller's loop to notice. */
    public void pause() throws InterruptedException {
        Thread.sleep(next().toMillis());
    }
}
