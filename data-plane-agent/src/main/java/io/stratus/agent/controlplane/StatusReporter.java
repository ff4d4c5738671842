package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.tasks.TaskRunner;
import io.stratus.agent.tasks.TasksChanged;
import io.stratus.agent.computes.ComputesChanged;
import io.stratus.agent.computes.NodeObservation;
import io.stratus.agent.support.Outage;
import io.stratus.agent.support.PeriodicTask;
import io.stratus.protocol.NodeStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Sends the node's status: at once after a reconcile pass that changed anything (provisioning waits on it), and every
 * {@code heartbeatInterval} anyway (the control plane marks silent nodes not ready).
 */
@Component
class StatusReporter extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);
    private final NodeRegistration registration;
    private final ControlPlaneClient client;
    private final ComputeReconciler reconciler;
    private final TaskRunner tasks;
    private final Clock clock;
    private final BigDecimal capacityCu;
    /** Written and read on this task's one thread only. */
    private final AtomicBoolean sendQueued = new AtomicBoolean();
    private final Outage outage = new Outage(log, "send status");

    StatusReporter(NodeRegistration registration, ControlPlaneClient client, ComputeReconciler reconciler,
                   TaskRunner tasks, Clock clock, AgentSettings settings) {
        super("status-reporter", Duration.ZERO, settings.heartbeatInterval());
        this.registration = registration;
        this.client = client;
        this.reconciler = reconciler;
        this.tasks = tasks;
        this.clock = clock;
        this.capacityCu = settings.capacityCu();
    }

    @EventListener
    void onComputesChanged(ComputesChanged event) {
        sendSoon();
    }

    @EventListener
    void onTasksChanged(TasksChanged event) {
        sendSoon();
    }

    /** Queues a send unless one is already queued (a queued send reads the observation when it runs). */
    void sendSoon() {
        if (sendQueued.compareAndSet(false, true) && !runSoon(() -> {
            sendQueued.set(false);
            send();
        })) {
            sendQueued.set(false);
        }
    }

    @Override
    protected void tick() {
        send();
    }

    private void send() {
        NodeIdentity node = registration.current().orElse(null);
        if (node == null) {
            return;
        }
        NodeObservation observed = reconciler.observe();
        NodeStatus status = new NodeStatus(node.nodeId(), observed.observedGeneration(), clock.instant(), capacityCu,
                reconciler.enforcement(), observed.computes(), observed.reconciledGeneration(), tasks.statuses());
        try {
            client.reportStatus(node, status);
            outage.succeeded();
        } catch (ControlPlaneException.CredentialRejected e) {
            registration.forget(node);
        } catch (ControlPlaneException e) {
            outage.failed(e.getMessage()); // the next heartbeat simply tries again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("cannot send status", e);
        }
    }

    @Override
    public int getPhase() {
        return ComputeReconciler.PHASE + 200;
    }
}
