package io.stratus.agent.computes;

import io.stratus.agent.support.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Triggers a storage check every {@code stratus.agent.storage.check-interval}; the check runs on the reconcile thread
 * ({@link StoragePass}) and the next is not queued before it finished.
 */
@Component
class StorageLoop extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(StorageLoop.class);

    private final ComputeReconciler reconciler;

    StorageLoop(ComputeReconciler reconciler, StorageSettings settings) {
        super("storage-loop", settings.checkInterval(), settings.checkInterval());
        this.reconciler = reconciler;
    }

    @Override
    protected void tick() {
        try {
            reconciler.checkStorage().join();
        } catch (RuntimeException e) {
            log.debug("storage check not run: {}", e.getMessage());
        }
    }

    @Override
    public int getPhase() {
        return ComputeReconciler.PHASE + 100;
    }
}
