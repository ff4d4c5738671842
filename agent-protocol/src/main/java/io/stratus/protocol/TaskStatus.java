package io.stratus.protocol;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A task as its node sees it. Reported in every {@link NodeStatus} until the task is no longer in the desired state
 * (the control plane has taken its result), so a result survives a control-plane restart: the next report delivers it.
 *
 * @param progress   0 to 100, as far as the type can tell
 * @param reasonCode with {@code FAILED}: e.g. {@code deadline-exceeded}, {@code compute-not-found},
 *                   {@code interrupted-by-agent-restart}, {@code unknown-type}, {@code invalid-parameters},
 *                   {@code error}
 * @param result     with {@code SUCCEEDED}: what the type reports (e.g. a checkpoint's LSN)
 */
public record TaskStatus(UUID id, TaskState state, int progress, String reasonCode, String message,
                         Map<String, Object> result, Instant updatedAt) {

    public TaskStatus {
        result = result == null ? Map.of() : Map.copyOf(result);
    }

    public static TaskStatus running(UUID id, int progress, Instant at) {
        return new TaskStatus(id, TaskState.RUNNING, progress, null, null, Map.of(), at);
    }

    public static TaskStatus succeeded(UUID id, String message, Map<String, Object> result, Instant at) {
        return new TaskStatus(id, TaskState.SUCCEEDED, 100, null, message, result, at);
    }

    public static TaskStatus failed(UUID id, String reasonCode, String message, Instant at) {
        return new TaskStatus(id, TaskState.FAILED, 0, reasonCode, message, Map.of(), at);
    }
}
