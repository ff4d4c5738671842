package io.stratus.protocol;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What an agent observes on its host.
 *
 * @param observedGeneration   the desired-state generation the agent has fully reconciled: every compute applied
 * @param computes             every compute on the host; one missing has been deleted
 * @param enforcement          how CU limits are enforced here: {@code cgroup-v2}, {@code cgroup-v1} or {@code none}
 * @param reconciledGeneration the latest generation whose whole pass ran: every compute it names was tried (some may
 *                             have failed, and say so in their status) and every other one deleted or still listed;
 *                             at least {@code observedGeneration}. A deletion is done once it is at least the
 *                             deleting generation and the compute is not listed, whatever other computes' state;
 *                             null from agents older than it.
 * @param tasks                every task the agent holds that the desired state still lists, with its state; null
 *                             from agents older than it
 */
public record NodeStatus(UUID nodeId, long observedGeneration, Instant observedAt, BigDecimal capacityCu,
                         String enforcement, List<ComputeStatus> computes, Long reconciledGeneration,
                         List<TaskStatus> tasks) {

    /** A status without tasks, as agents before the task channel sent it. */
    public NodeStatus(UUID nodeId, long observedGeneration, Instant observedAt, BigDecimal capacityCu,
                      String enforcement, List<ComputeStatus> computes, Long reconciledGeneration) {
        this(nodeId, observedGeneration, observedAt, capacityCu, enforcement, computes, reconciledGeneration, null);
    }

    /** An older agent does not send {@code reconciledGeneration} (null): then only the full one counts. */
    public long reconciledOrObservedGeneration() {
        return reconciledGeneration == null ? observedGeneration : Math.max(observedGeneration, reconciledGeneration);
    }
}
