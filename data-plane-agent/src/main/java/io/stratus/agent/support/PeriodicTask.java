package io.stratus.agent.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A lifecycle that runs {@link #tick()} on a daemon thread of its own every {@code interval}, with a fixed delay: a
 * slow tick (a control plane taking its time) never makes ticks pile up. {@link #runSoon(Runnable)} puts extra work on
 * the same thread, so a tick and that work never overlap.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final Duration initialDelay;
    private final Duration interval;
    private volatile ScheduledExecutorService scheduler;

    protected PeriodicTask(String name, Duration initialDelay, Duration interval) {
        this.name = name;
        this.initialDelay = initialDelay;
        this.interval = interval;
    }

    /** One round. An exception ends only this round. */
    protected abstract void tick();

    /** Runs {@code work} on this task's thread as soon as it is free; false when the task is not running. */
    protected final boolean runSoon(Runnable work) {
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            return false;
        }
        try {
            s.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                // Logged and swallowed: an exception escaping would silently cancel the schedule for good.
                log.warn("{} round failed", name, e);
            }
        }, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }
}
