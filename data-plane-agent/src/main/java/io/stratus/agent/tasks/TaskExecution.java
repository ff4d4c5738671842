package io.stratus.agent.tasks;

import io.stratus.protocol.TaskSpec;
import io.stratus.protocol.TaskStatus;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One run of one task: finds its compute, reads its parameters strictly, runs its type, and says how it ended. Empty
 * when the run was interrupted (its deadline, recorded by the runner, or the agent stopping): then nothing is to be
 * recorded here.
 */
final class TaskExecution {

    private static final Logger log = LoggerFactory.getLogger(TaskExecution.class);

    private final ComputeLookup computes;
    private final JsonMapper parametersJson;
    private final Clock clock;

    TaskExecution(ComputeLookup computes, JsonMapper json, Clock clock) {
        this.computes = computes;
        // A misspelt parameter must not be ignored: the task would run without what it was asked to do.
        this.parametersJson = json.rebuild().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.clock = clock;
    }

    <P extends Record> Optional<TaskStatus> run(TaskSpec spec, TaskType<P> type, TaskType.Progress progress) {
        Optional<ComputeLookup.Presence> compute = computes.find(spec.computeId());
        if (compute.isEmpty()) {
            return failed(spec, "compute-not-found", "no compute " + spec.computeId() + " on this node");
        }
        P parameters;
        try {
            parameters = parametersJson.convertValue(spec.parameters(), type.parameters());
        } catch (RuntimeException e) {
            return failed(spec, "invalid-parameters", e.getMessage());
        }
        try {
            TaskType.Outcome outcome = type.run(spec.computeId(), compute.get().running(), parameters, progress);
            return Optional.of(TaskStatus.succeeded(spec.id(), outcome.message(), outcome.result(), clock.instant()));
        } catch (TaskFailure e) {
            return failed(spec, e.reasonCode(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
            log.warn("task {} failed", spec.type(), e);
            return failed(spec, "error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Optional<TaskStatus> failed(TaskSpec spec, String reasonCode, String message) {
        return Optional.of(TaskStatus.failed(spec.id(), reasonCode, message, clock.instant()));
    }
}
