package io.stratus.agent.metering;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * When the {@link UsageMeter}'s passes run: every {@code usageInterval}, and at every UTC hour boundary, on one daemon
 * thread, {@code usage-meter}; extra passes run on the same thread, so never beside a scheduled one.
 */
final class MeterSchedule {

    /** A boundary tick fires this much after the hour, never before it. */
    private static final Duration BOUNDARY_SLACK = Duration.ofMillis(5);

    private final Clock clock;
    private final Duration interval;
    private volatile ScheduledExecutorService scheduler;

    MeterSchedule(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    /** Runs {@code pass} on schedule until {@link #stop}; {@code pass} must not throw, or the schedule ends. */
    void start(Runnable pass) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "usage-meter");
            t.setDaemon(true);
            return t;
        });
        // On stop the next pass is cancelled, and one in progress finishes: interrupted, its spool write would fail.
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler = s;
        scheduleNext(s, pass);
    }

    /** Runs {@code pass} once, as soon as the thread is free; nothing while not started or stopping. */
    void runSoon(Runnable pass) {
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            return;
        }
        try {
            s.execute(pass);
        } catch (RejectedExecutionException stopping) {
            // Stopping: its last pass spools the change.
        }
    }

    /**
     * Cancels the next pass and waits (up to 30 s) for one in progress.
     *
     * @return false when it was not running
     */
    boolean stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s == null) {
            return false;
        }
        s.shutdown();
        try {
            s.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    boolean isRunning() {
        return scheduler != null;
    }

    /** The wait from {@code now} to the next pass: {@code interval}, or to just after the next hour if that comes first. */
    static Duration delay(Instant now, Duration interval) {
        Duration toBoundary = Duration.between(now, now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS))
                .plus(BOUNDARY_SLACK);
        return toBoundary.compareTo(interval) < 0 ? toBoundary : interval;
    }

    private void scheduleNext(ScheduledExecutorService s, Runnable pass) {
        Duration delay = delay(clock.instant(), interval);
        try {
            s.schedule(() -> {
                pass.run();
                if (scheduler == s) {
                    scheduleNext(s, pass);
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Stopping.
        }
    }
}
