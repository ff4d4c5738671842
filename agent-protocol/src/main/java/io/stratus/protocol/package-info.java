/**
 * The agent protocol, {@code /agent/v1}: what a data-plane agent and the control plane say to each other.
 *
 * <ol>
 *   <li>{@code POST /agent/v1/nodes} with the bootstrap token: {@link RegisterNodeRequest} in,
 *       {@link RegisterNodeResponse} (node id and a per-node credential) out.</li>
 *   <li>{@code GET /agent/v1/nodes/{id}/desired-state?after=G}: long-polls until the node's desired generation
 *       passes {@code G}, then returns {@link DesiredState}: the computes, and the open {@link TaskSpec tasks}.</li>
 *   <li>{@code POST /agent/v1/nodes/{id}/status}: {@link NodeStatus}, everything the agent observes, with each
 *       task's {@link TaskStatus}.</li>
 *   <li>{@code POST /agent/v1/nodes/{id}/metrics}: {@link MetricsReport}, load samples about every second, which
 *       drive autoscaling and scale-to-zero.</li>
 *   <li>{@code POST /agent/v1/nodes/{id}/usage}: {@link UsageReport}, metered usage from the agent's durable spool,
 *       answered with a {@link UsageAck}; stored once per (node, seq), so redelivery never counts twice.</li>
 *   <li>{@code GET /agent/v1/nodes/{id}/routes/{endpoint}}: the {@link Route} of a database's endpoint, which a front door
 *       follows to the node that holds its compute; {@code POST /agent/v1/nodes/{id}/routes/{endpoint}/wake} resumes a
 *       suspended database for a connection that is waiting for it (idempotent: one resume however many wait).</li>
 * </ol>
 * The control plane owns desired state, the agent owns observed state; a compute absent from the desired state is
 * to be deleted.
 */
package io.stratus.protocol;
