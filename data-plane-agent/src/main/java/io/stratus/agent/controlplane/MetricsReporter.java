package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.metrics.MetricsSampler;
import io.stratus.protocol.ComputeMetrics;
import io.stratus.protocol.MetricsReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Samples the running computes every {@code metricsInterval} on a thread of its own (never the reconcile thread)
 * and posts each round's samples. Metrics are not durable data: a round that cannot be delivered is dropped, and
 * logged at debug only; the next round carries fresh numbers.
 */
@Component
class MetricsReporter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MetricsReporter.class);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final NodeRegistration registration;
    private final ControlPlaneClient client;
    private final MetricsSampler sampler;
    private final Duration interval;
    private volatile ScheduledExecutorService scheduler;

    MetricsReporter(NodeRegistration registration, ControlPlaneClient client, MetricsSampler sampler,
                    AgentSettings settings) {
        this.registration = registration;
        this.client = client;
        this.sampler = sampler;
        this.interval = settings.metricsInterval();
    }

    /** One round: sample every running compute, send what there is. */
    void round() {
        List<ComputeMetrics> samples;
        try {
            samples = sampler.sample();
        } catch (RuntimeException e) {
            log.warn("metrics sampling failed", e);
            return;
        }
        NodeIdentity node = registration.current().orElse(null);
        if (samples.isEmpty() || node == null) {
            return;
        }
        try {
            client.reportMetrics(node, new MetricsReport(node.nodeId(), samples));
        } catch (ControlPlaneException.CredentialRejected e) {
            registration.forget(node);
        } catch (ControlPlaneException e) {
            log.debug("metrics round dropped: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.debug("metrics round dropped", e);
        }
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics");
            t.setDaemon(true);
            return t;
        });
        // Fixed delay: a slow round (a control plane taking its time) never makes rounds pile up.
        scheduler.scheduleWithFixedDelay(this::round, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sampler.close();
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public int getPhase() {
        // Stopped before the reconciler stops the postmasters it samples.
        return ComputeReconciler.PHASE + 250;
    }
}
