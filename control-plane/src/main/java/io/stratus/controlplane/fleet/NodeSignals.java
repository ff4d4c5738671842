package io.stratus.controlplane.fleet;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Wakes the agents' long-polls in this JVM the moment a node's desired state changes. Waiters also re-read the
 * generation from the database every second, so that a change committed by another control-plane replica reaches
 * the agent within a second even without a signal.
 */
@Component
class NodeSignals {

    private final Map<UUID, Object> monitors = new ConcurrentHashMap<>();

    void signal(UUID nodeId) {
        Object m = monitor(nodeId);
        synchronized (m) {
            m.notifyAll();
        }
    }

    /** Waits up to {@code millis} for a signal on the node. */
    void await(UUID nodeId, long millis) throws InterruptedException {
        Object m = monitor(nodeId);
        synchronized (m) {
            m.wait(Math.max(1, millis));
        }
    }

    private Object monitor(UUID nodeId) {
        return monitors.computeIfAbsent(nodeId, k -> new Object());
    }
}
