package io.stratus.controlplane.updates;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestExample;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/rolling-updates}: the operator moves databases to a release or settings, a few at a time. */
@RestController
@OperatorOnly
@Tag(name = "Rolling updates", description = "Moving databases to another release of their major, or to other "
        + "Postgres settings, a few computes at a time, with canaries, pause, abort and rollback (operator).")
class RollingUpdateController {

    private static final int MAX_LISTED = 100;

    private final RollingUpdates updates;

    RollingUpdateController(RollingUpdates updates) {
        this.updates = updates;
    }

    @PostMapping("/v1/admin/rolling-updates")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "createRollingUpdate", summary = "Start a rolling update", description = """
            Moves the selected databases to `target`: `release`, a full version of their own major that their nodes \
            have (see `GET /v1/admin/releases`; another major is refused, a major version change needs pg_upgrade), \
            and/or `settings`, Postgres settings from an allow-list (timeouts, logging, planner costs, checkpoints, \
            `max_locks_per_transaction`...; the ones Stratus sizes itself are not allowed), set on top of each \
            database's own. `selector`: exactly one of `{"all": true}`, `tenantId`, `nodeId`, `databaseIds`; it \
            takes the live databases with a compute. `canary` (1 by default): how many go first, alone; the rest \
            start only once they are healthy on the target. `maxUnavailable` (1 by default, at least 1): how many \
            computes restart at once. `failureThreshold` (1 by default): the update pauses at this many failures, \
            and at any failed canary. `respectMaintenanceWindows` (false by default): a database with a maintenance \
            window is restarted only inside it. Each running compute gets a planned restart on its node: new \
            connections are held by the front door meanwhile (none fails), open sessions end with `57P01`; it is \
            checked (the server answers the target version, the settings are in force) and rolled back to its \
            previous release and settings if it fails. A suspended database is not woken: it starts on the target \
            next time. Answers 202 with the update (also at `Location`); once it completes without failure, new \
            databases get its release by default. Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`update-in-progress`: a selected database is in an unfinished "
            + "rolling update.")
    @RequestExample("""
            {"target": {"release": "15.18", "settings": {"statement_timeout": "30s"}}, "selector": {"all": true}, \
            "canary": 1, "maxUnavailable": 2, "failureThreshold": 1, "respectMaintenanceWindows": false}""")
    ResponseEntity<RollingUpdates.RollingUpdateView> create(Caller caller,
                                                            @RequestBody RollingUpdates.CreateRequest body) {
        RollingUpdates.RollingUpdateView created = updates.create(body, "operator:" + caller.keyId());
        return ResponseEntity.accepted().location(URI.create("/v1/admin/rolling-updates/" + created.id())).body(created);
    }

    @GetMapping("/v1/admin/rolling-updates")
    @Operation(operationId = "listRollingUpdates", summary = "List rolling updates", description = """
            The last 100 rolling updates, newest first, with their progress and counts (items are in each one's own \
            view). Operator key only.""")
    List<RollingUpdates.RollingUpdateView> list() {
        return updates.list(MAX_LISTED);
    }

    @GetMapping("/v1/admin/rolling-updates/{id}")
    @Operation(operationId = "getRollingUpdate", summary = "Get a rolling update", description = """
            The update: its state (`RUNNING`, `PAUSED` with a `pauseReason`, `ABORTING`, `ABORTED`, `COMPLETED`, \
            `ROLLING_BACK`, `ROLLED_BACK`), progress, counts per item state, and each item: the database, the \
            version it ran before (`fromRelease`) and the target (`toRelease`), the version it ended on \
            (`endedOn`), its state (`PENDING`, `UPDATING`, `UPDATED`, `FAILED`, `SKIPPED`, `REVERTING`, `REVERTED`), \
            the downtime measured (`downtimeMillis`: how long its front door held new connections) and the error \
            of a failed one. Operator key only.""")
    RollingUpdates.RollingUpdateView get(@PathVariable UUID id) {
        return updates.find(id).orElseThrow(() -> ApiException.notFound("rolling update"));
    }

    @PostMapping("/v1/admin/rolling-updates/{id}/pause")
    @ResponseStatus(HttpStatus.OK)
    @Operation(operationId = "pauseRollingUpdate", summary = "Pause a rolling update", description = """
            Starts no more restarts; those in flight finish. Only a `RUNNING` update. Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`invalid-state`: the update is not `RUNNING`.")
    RollingUpdates.RollingUpdateView pause(@PathVariable UUID id) {
        return updates.pause(id);
    }

    @PostMapping("/v1/admin/rolling-updates/{id}/resume")
    @ResponseStatus(HttpStatus.OK)
    @Operation(operationId = "resumeRollingUpdate", summary = "Resume a rolling update", description = """
            Goes on with a `PAUSED` update; the failures so far are acknowledged: only new ones count against \
            `failureThreshold`. Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`invalid-state`: the update is not `PAUSED`.")
    RollingUpdates.RollingUpdateView resume(@PathVariable UUID id) {
        return updates.resume(id);
    }

    @PostMapping("/v1/admin/rolling-updates/{id}/abort")
    @ResponseStatus(HttpStatus.OK)
    @Operation(operationId = "abortRollingUpdate", summary = "Abort a rolling update", description = """
            Skips every database not started yet; the restarts in flight finish (`ABORTING`, then `ABORTED`). What \
            was updated stays updated (see rollback). Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`invalid-state`: the update is not `RUNNING` or `PAUSED`.")
    RollingUpdates.RollingUpdateView abort(@PathVariable UUID id) {
        return updates.abort(id);
    }

    @PostMapping("/v1/admin/rolling-updates/{id}/rollback")
    @ResponseStatus(HttpStatus.OK)
    @Operation(operationId = "rollBackRollingUpdate", summary = "Roll back a rolling update", description = """
            Skips every database not started yet and, once the restarts in flight have finished, takes the updated \
            ones back to the release and settings they had before, `maxUnavailable` at a time, maintenance windows \
            or not (`ROLLING_BACK`, then `ROLLED_BACK`). The fleet's default release for new databases is not moved \
            back. Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`invalid-state`: the update is rolling back or rolled back.")
    RollingUpdates.RollingUpdateView rollback(@PathVariable UUID id) {
        return updates.rollback(id);
    }
}
