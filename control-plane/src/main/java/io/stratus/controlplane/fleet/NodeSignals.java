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

    private final Map<UUID, Object> monitors = new ConcurrentHashMap<>();
    private volatile boolean running;

    void signal(UUID nodeId) {
        Object m = monitor(nodeId);
        synchronized (m) {
            m.notifyAll();
        }
    }

    /** Waits up to {@code millis} for a signal on the node; returns at once while stopped. */
    void await(UUID nodeId, long millis) throws InterruptedException {
        Object m = monitor(nodeId);
        synchronized (m) {
            if (running) {
                m.wait(Math.max(1, millis));
            }
        }
    }

    private Object monitor(UUID nodeId) {
        return monitors.computeIfAbsent(nodeId, k -> new Object());
    }

    @Override
    public void start() {
        running = true;
    }

    /** Releases every waiter; a long-poll arriving after this answers at once. */
    @Override
    public void stop() {
        running = false;
        monitors.values().forEach(m -> {
            synchronized (m) {
                m.notifyAll();
            }
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
