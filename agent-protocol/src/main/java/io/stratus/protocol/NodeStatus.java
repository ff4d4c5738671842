package io.stratus.protocol;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What an agent observes on its host.
 *
 * @param observedGeneration the desired-state generation the agent has fully reconciled
 * @param computes           every compute on the host; one missing has been deleted
 * @param enforcement        how CU limits are enforced here: {@code cgroup-v2}, {@code cgroup-v1} or {@code none}
 */
public record NodeStatus(UUID nodeId, long observedGeneration, Instant observedAt, BigDecimal capacityCu,
                         String enforcement, List<ComputeStatus> computes) {
}
