package io.stratus.controlplane.tasks;

import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's handle on compute tasks: {@code POST /v1/admin/databases/{id}/checkpoint} runs a checkpoint on the
 * database's compute (a suspended one is not woken: its shutdown checkpoint stands), and the tasks can be read back
 * with their results. The operation in the answer is the tenant's to poll too ({@code GET /v1/operations/{id}}).
 */
@RestController
@OperatorOnly
@Tag(name = "Compute tasks", description = "One-off work on a database's compute, run by its node's agent "
        + "(operator).")
class TaskController {

    /** A checkpoint writes every dirty buffer; at a quarter CU that can take minutes on a large cache. */
    static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_LISTED = 100;

    private final ComputeTasks tasks;
    private final io.stratus.controlplane.databases.DatabaseDirectory databases;

    TaskController(ComputeTasks tasks, io.stratus.controlplane.databases.DatabaseDirectory databases) {
        this.databases = databases;
        this.tasks = tasks;
    }

    @PostMapping("/v1/admin/databases/{id}/checkpoint")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "runCheckpoint", summary = "Checkpoint a database's compute", description = """
            Queues a `CHECKPOINT` on the database's compute and answers 202 with the operation (type `CHECKPOINT`, \
            the tenant's to poll as well) and the task (also at `Location`). A suspended database is not woken: its \
            shutdown checkpoint stands, and the result says `stopped: true`. Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`no-compute`: the database has no compute to work on (it is "
            + "being created, failed, or being deleted).")
    ResponseEntity<ComputeTasks.Queued> checkpoint(@PathVariable UUID id) {
        ComputeTasks.Queued queued = tasks.queue(id, OperationType.CHECKPOINT, "checkpoint", Map.of(), CHECKPOINT_TIMEOUT);
        return ResponseEntity.accepted().location(URI.create("/v1/admin/tasks/" + queued.task().id())).body(queued);
    }

    @GetMapping("/v1/admin/tasks/{id}")
    @Operation(operationId = "getTask", summary = "Get a compute task", description = """
            The task with its state (`PENDING` until the node reports it, `RUNNING`, `SUCCEEDED`, `FAILED` with a \
            `reasonCode`), progress, parameters, result (a checkpoint's: `{checkpointLsn, redoLsn, checkpointTime}`) \
            and deadline. Operator key only.""")
    ComputeTasks.TaskView get(@PathVariable UUID id) {
        return tasks.find(id).orElseThrow(() -> ApiException.notFound("task"));
    }

    @GetMapping("/v1/admin/databases/{id}/tasks")
    @Operation(operationId = "listDatabaseTasks", summary = "List a database's compute tasks", description = """
            The database's last 100 tasks, newest first. Operator key only.""")
    List<ComputeTasks.TaskView> ofDatabase(@PathVariable UUID id) {
        // An id no database ever had is a 404, not an empty list (found by AttackSuiteTests).
        databases.tenantOf(id).orElseThrow(() -> io.stratus.controlplane.web.ApiException.notFound("database"));
        return tasks.ofDatabase(id, MAX_LISTED);
    }
}
