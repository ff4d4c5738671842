package io.stratus.agent.computes;

import io.stratus.agent.AgentSettings;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Triggers a health pass every {@code healthCheckInterval}: the pass itself runs on the reconcile thread, and the next
 * one is not queued before it finished, so a slow pass never piles up health checks behind it.
 */
@Component
class HealthLoop implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HealthLoop.class);

    private final ComputeReconciler reconciler;
    private final Duration interval;
    private volatile ScheduledExecutorService scheduler;

    HealthLoop(ComputeReconciler reconciler, AgentSettings settings) {
        this.reconciler = reconciler;
        this.interval = settings.healthCheckInterval();
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health-loop");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check() {
        try {
            reconciler.checkHealth().join();
        } catch (RuntimeException e) {
            log.debug("health pass not run: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService s = scheduler;
        scheduler = null;
        if (s != null) {
            s.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public int getPhase() {
        return ComputeReconciler.PHASE + 100;
    }
}
