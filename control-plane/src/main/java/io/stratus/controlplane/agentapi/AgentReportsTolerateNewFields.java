package io.stratus.controlplane.agentapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.stratus.protocol.ComputeMetrics;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.MetricsReport;
import io.stratus.protocol.NodeStatus;
import io.stratus.protocol.RegisterNodeRequest;
import io.stratus.protocol.TaskStatus;
import io.stratus.protocol.UsageRecord;
import io.stratus.protocol.UsageReport;
import org.springframework.boot.jackson.JacksonMixin;

/**
 * What agents send may carry fields this control plane does not know yet: in a rolling upgrade agents can be newer
 * than the control plane, and a report refused for a new field would stop its node's status, metrics or usage until
 * the control plane caught up. The public API stays strict ({@code fail-on-unknown-properties}); the agent protocol
 * only ever adds fields, and missing ones arrive as null ({@link ComputeMetrics}).
 */
@JacksonMixin({RegisterNodeRequest.class, NodeStatus.class, ComputeStatus.class, MetricsReport.class,
        ComputeMetrics.class, UsageReport.class, UsageRecord.class, TaskStatus.class})
@JsonIgnoreProperties(ignoreUnknown = true)
abstract class AgentReportsTolerateNewFields {
}
