package io.stratus.protocol;

import java.util.List;
import java.util.UUID;

/** {@code POST /agent/v1/nodes/{id}/metrics}: the latest samples of the node's running computes. */
public record MetricsReport(UUID nodeId, List<ComputeMetrics> samples) {
}
