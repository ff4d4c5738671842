package io.stratus.protocol;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One-off work the control plane asks of a node, on one compute: a checkpoint today, backups and restarts on a new
 * release later. Delivered with the desired state for as long as it is open; the agent runs it at most once at a time,
 * keyed by {@code id}, so a repeated delivery is the same task.
 *
 * @param id         the task's identity (and its idempotency key)
 * @param type       what to do, e.g. {@code checkpoint}; an agent that does not know a type reports it failed
 * @param computeId  the compute it works on
 * @param parameters the type's parameters, a JSON object each type reads into its own parameters record
 * @param deadline   after this the work is no longer wanted: not started, and failed if still running
 */
public record TaskSpec(UUID id, String type, UUID computeId, Map<String, Object> parameters, Instant deadline) {

    public TaskSpec {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }
}
