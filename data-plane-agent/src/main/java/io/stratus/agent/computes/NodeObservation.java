package io.stratus.agent.computes;

import io.stratus.protocol.ComputeStatus;
import java.util.List;

/**
 * What the reconciler observes right now.
 *
 * @param observedGeneration   the generation of the last desired state reconciled fully (0 before the first)
 * @param computes             every compute on the host, ordered by id
 * @param reconciledGeneration the generation of the last desired state whose pass ran to its end, failures and all
 */
public record NodeObservation(long observedGeneration, List<ComputeStatus> computes, long reconciledGeneration) {

    public NodeObservation {
        computes = List.copyOf(computes);
    }
}
