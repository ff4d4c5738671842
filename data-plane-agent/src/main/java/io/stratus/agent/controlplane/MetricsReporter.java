package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.metrics.MetricsSampler;
import io.stratus.agent.support.PeriodicTask;
import io.stratus.protocol.ComputeMetrics;
import io.stratus.protocol.MetricsReport;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Samples the running computes every {@code metricsInterval} on a thread of its own (never the reconcile thread)
 * and posts each round's samples. Metrics are not durable data: a round that cannot be delivered is dropped, and
 * logged at debug only; the next round carries fresh numbers.
 */
@Component
class MetricsReporter extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(MetricsReporter.class);

    private final NodeRegistration registration;
    private final ControlPlaneClient client;
    private final MetricsSampler sampler;

    MetricsReporter(NodeRegistration registration, ControlPlaneClient client, MetricsSampler sampler,
                    AgentSettings settings) {
        super("metrics", settings.metricsInterval(), settings.metricsInterval());
        this.registration = registration;
        this.client = client;
        this.sampler = sampler;
    }

    /** One round: sample every running compute, send what there is. */
    @Override
    protected void tick() {
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
    public void stop() {
        super.stop();
        sampler.close();
    }

    @Override
    public int getPhase() {
        // Stopped before the reconciler stops the postmasters it samples.
        return ComputeReconciler.PHASE + 250;
    }
}
