package io.stratus.agent.computes;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.support.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Triggers a health pass every {@code healthCheckInterval}: the pass itself runs on the reconcile thread, and the next
 * one is not queued before it finished, so a slow pass never piles up health checks behind it.
 */
@Component
class HealthLoop extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(HealthLoop.class);

    private final ComputeReconciler reconciler;

    HealthLoop(ComputeReconciler reconciler, AgentSettings settings) {
        super("health-loop", settings.healthCheckInterval(), settings.healthCheckInterval());
        this.reconciler = reconciler;
    }

    @Override
    protected void tick() {
        try {
            reconciler.checkHealth().join();
        } catch (RuntimeException e) {
            log.debug("health pass not run: {}", e.getMessage());
        }
    }

    @Override
    public int getPhase() {
        return ComputeReconciler.PHASE + 100;
    }
}
