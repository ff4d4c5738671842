package io.stratus.agent.tasks;

import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.RunningCompute;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The computes as the reconciler last published them. */
@Component
class ReconcilerComputes implements ComputeLookup {

    private final ComputeReconciler reconciler;

    ReconcilerComputes(ComputeReconciler reconciler) {
        this.reconciler = reconciler;
    }

    @Override
    public Optional<Presence> find(UUID computeId) {
        boolean known = reconciler.observe().computes().stream().anyMatch(c -> c.computeId().equals(computeId));
        if (!known) {
            return Optional.empty();
        }
        Optional<RunningCompute> running = reconciler.running().stream()
                .filter(r -> r.computeId().equals(computeId)).findFirst();
        return Optional.of(new Presence(running));
    }
}
