package io.stratus.controlplane.fleet;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Wakes the agents' long-polls in this JVM the moment a node's desired state changes. Waiters also re-read the
 * generation from the database every second, so that a change committed by another control-plane replica reaches
 * the agent within a second even without a signal.
 *
 * <p>Stopped first when the control plane shuts down (the highest lifecycle phase), it releases every waiting
 * long-poll: the agents get "nothing new" at once and poll again, another replica or this one once it is back. Held
 * instead, each poll would keep the graceful shutdown waiting for up to its 25 s and then be cut off.
 */
@Component
class NodeSignals implements SmartLifecycle {

    private final Map<UUID, Signal> signals = new ConcurrentHashMap<>();
    private volatile boolean running;

    /**
     * A node's signals so far, counted so a waiter can tell "signalled since I looked" from "not yet": a signal that
     * lands between a poll's read of the generation and its wait is not lost, it ends the wait at once.
     */
    private static final class Signal {
        long count;
    }

    void signal(UUID nodeId) {
        Signal s = signalOf(nodeId);
        synchronized (s) {
            s.count++;
            s.notifyAll();
        }
    }

    /** The node's signals so far: take it before reading what a signal would change, then {@link #await} past it. */
    long mark(UUID nodeId) {
        Signal s = signalOf(nodeId);
        synchronized (s) {
            return s.count;
        }
    }

    /**
     * Waits up to {@code millis} for a signal on the node after {@code mark}; returns at once if one came already, and
     * while stopped.
     */
    void await(UUID nodeId, long mark, long millis) throws InterruptedException {
        Signal s = signalOf(nodeId);
        long deadline = System.nanoTime() + Math.max(1, millis) * 1_000_000;
        synchronized (s) {
            for (long left = millis; running && s.count == mark && left > 0;
                 left = (deadline - System.nanoTime()) / 1_000_000) {
                s.wait(left);
            }
        }
    }

    private Signal signalOf(UUID nodeId) {
        return signals.computeIfAbsent(nodeId, k -> new Signal());
    }

    @Override
    public void start() {
        running = true;
    }

    /** Releases every waiter; a long-poll arriving after this answers at once. */
    @Override
    public void stop() {
        running = false;
        signals.values().forEach(s -> {
            synchronized (s) {
                s.notifyAll();
            }
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
