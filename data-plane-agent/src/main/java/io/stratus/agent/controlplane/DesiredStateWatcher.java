package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.tasks.TaskRunner;
import io.stratus.agent.support.Backoff;
import io.stratus.agent.support.LoopThread;
import io.stratus.protocol.DesiredState;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Long-polls the node's desired state and hands each new generation to the reconciler. A change reaches the agent as
 * soon as the control plane makes it, not at the next poll. Starts at generation 0 so the first call answers at once.
 */
@Component
class DesiredStateWatcher extends LoopThread {

    private static final Logger log = LoggerFactory.getLogger(DesiredStateWatcher.class);

    private final NodeRegistration registration;
    private final ControlPlaneClient client;
    private final ComputeReconciler reconciler;
    private final TaskRunner tasks;
    private final Duration wait;

    DesiredStateWatcher(NodeRegistration registration, ControlPlaneClient client, ComputeReconciler reconciler,
                        TaskRunner tasks, AgentSettings settings) {
        super("desired-state-watcher");
        this.registration = registration;
        this.client = client;
        this.reconciler = reconciler;
        this.tasks = tasks;
        this.wait = settings.longPollTimeout();
    }

    @Override
    public int getPhase() {
        return ComputeReconciler.PHASE + 300;
    }

    @Override
    protected void loop() {
        Backoff backoff = new Backoff(NodeRegistration.RETRY_INITIAL, NodeRegistration.RETRY_MAX);
        NodeIdentity watching = null;
        long after = 0;
        while (keepRunning()) {
            NodeIdentity node = null;
            try {
                node = registration.awaitIdentity();
                if (!node.equals(watching)) {
                    // A new identity may be a new node to the control plane: ask for everything again.
                    watching = node;
                    after = 0;
                    MDC.put("nodeId", node.nodeId().toString());
                }
                Optional<DesiredState> state = client.desiredState(node, after, wait);
                backoff.reset();
                if (state.isPresent()) {
                    DesiredState s = state.get();
                    log.info("desired state generation {} ({} computes, {} open tasks)", s.generation(),
                            s.computes().size(), s.tasks().size());
                    reconciler.apply(s);
                    tasks.accept(s.tasks());
                    after = s.generation();
                }
            } catch (InterruptedException e) {
                return;
            } catch (ControlPlaneException.CredentialRejected e) {
                registration.forget(node);
            } catch (ControlPlaneException | RuntimeException e) {
                Duration delay = backoff.next();
                log.warn("desired-state watch failed (attempt {}, retrying in {} ms): {}", backoff.failures(),
                        delay.toMillis(), e.getMessage());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
