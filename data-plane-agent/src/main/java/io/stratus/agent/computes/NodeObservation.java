package io.stratus.agent.computes;

import io.stratus.protocol.ComputeStatus;
import java.util.List;

/**
 * What the reconciler observes right now.
 *
 * @param observedGeneration the generation of the last desired state reconciled fully (0 before the first)
 * @param computes           every compute on the host, ordered by id
 */
public record NodeObservation(long observedGeneration, List<ComputeStatus> computes) {

    public NodeObservation {
        computes = List.copyOf(computes);
    }
}
