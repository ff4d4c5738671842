package io.stratus.agent.support;

import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * A lifecycle that runs one long loop on a daemon thread of its own (a long-poll, a delivery loop: work that blocks and
 * must not hold a shared executor). {@link #stop()} interrupts the thread and waits for it a few seconds; the loop
 * checks {@link #keepRunning()} and returns when it turns false or when interrupted.
 */
public abstract class LoopThread implements SmartLifecycle {

    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final String name;
    private volatile Thread thread;

    protected LoopThread(String name) {
        this.name = name;
    }

    /** The loop: runs until {@link #keepRunning()} is false or the thread is interrupted. */
    protected abstract void loop();

    /** True while this thread is still the one wanted; false once stopped (or restarted with a new thread). */
    protected final boolean keepRunning() {
        return thread == Thread.currentThread();
    }

    @Override
    public void start() {
        Thread t = new Thread(this::loop, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Override
    public void stop() {
        Thread t = thread;
        thread = null;
        if (t != null) {
            t.interrupt();
            try {
                t.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return thread != null;
    }
}
