package io.stratus.controlplane.tasks;

import io.stratus.protocol.TaskState;
import java.util.Map;
import java.util.UUID;

/**
 * A task reached its final state: published by {@link ComputeTasks} in the transaction that stores it (a node's report,
 * or its deadline passing), once per task. Listeners that keep their own record of the work (backups) update it in the
 * same transaction, so the task and their record never disagree.
 *
 * @param reasonCode with {@code FAILED}: why, e.g. {@code deadline-exceeded}
 * @param result     with {@code SUCCEEDED}: what the type reported; empty otherwise
 */
public record TaskFinished(UUID taskId, String type, UUID databaseId, TaskState state, String reasonCode,
                           String message, Map<String, Object> result) {

    public TaskFinished {
        result = result == null ? Map.of() : result;
    }

    public boolean succeeded() {
        return state == TaskState.SUCCEEDED;
    }
}
