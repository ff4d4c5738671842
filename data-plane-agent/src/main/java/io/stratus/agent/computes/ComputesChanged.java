package io.stratus.agent.computes;

/**
 * Published after a reconcile pass that changed what the agent observes (a compute's phase, readiness, restarts, the
 * observed generation): provisioning waits on the control plane seeing it, so status is sent at once, not at the next
 * heartbeat.
 */
public record ComputesChanged(NodeObservation observation) {
}
