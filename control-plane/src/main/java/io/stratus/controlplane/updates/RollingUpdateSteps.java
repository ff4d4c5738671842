package io.stratus.controlplane.updates;

import io.stratus.controlplane.databases.DatabaseTargets;
import io.stratus.controlplane.fleet.FleetDefaults;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.controlplane.updates.RollingUpdateRows.ItemRow;
import io.stratus.controlplane.updates.RollingUpdateRows.Row;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * One step of a rolling update ({@link #advance}), in one transaction holding the update's row
 * ({@code FOR UPDATE SKIP LOCKED}): the restarts in flight settled from their tasks' results, then what
 * {@link UpdatePlan} says next started. A control plane killed mid-step leaves the previous step's rows and the next
 * tick (of any control plane) continues from them; two control planes never step one update, so never start one item,
 * at once. Starting an item changes its database's spec (the target, desired state) and, for a running compute,
 * queues a {@code restart-on-release} task with the spec version that carries it, in the same transaction.
 */
@Component
class RollingUpdateSteps {

    private static final Logger log = LoggerFactory.getLogger(RollingUpdateSteps.class);
    static final String TASK_TYPE = "restart-on-release";

    private final RollingUpdateRows rows;
    private final DatabaseTargets targets;
    private final ComputeTasks tasks;
    private final FleetDefaults defaults;
    private final MaintenanceWindows windows;
    private final UpdateSettings settings;
    private final Clock clock;

    RollingUpdateSteps(RollingUpdateRows rows, DatabaseTargets targets, ComputeTasks tasks, FleetDefaults defaults,
                       MaintenanceWindows windows, UpdateSettings settings, Clock clock) {
        this.rows = rows;
        this.targets = targets;
        this.tasks = tasks;
        this.defaults = defaults;
        this.windows = windows;
        this.settings = settings;
        this.clock = clock;
    }

    /** The updates with work left, oldest first. */
    @Transactional(readOnly = true)
    public List<UUID> active() {
        return rows.active();
    }

    /** One step of one update; nothing when another control plane holds its row or it has no work left. */
    @Transactional
    public void advance(UUID id) {
        Optional<Row> locked = rows.lockForStep(id);
        if (locked.isEmpty()) {
            return;
        }
        Row u = locked.get();
        for (ItemRow item : rows.items(id)) {
            if (item.state().inFlight()) {
                settleInFlight(u, item);
            }
        }
        List<ItemRow> items = rows.items(id);
        switch (u.state()) {
            case "RUNNING" -> forward(u, items);
            case "ABORTING" -> {
                if (items.stream().noneMatch(i -> i.state().inFlight())) {
                    rows.finish(id, "ABORTED");
                }
            }
            case "ROLLING_BACK" -> backward(u, items);
            default -> {
                // PAUSED: only the restarts in flight move on.
            }
        }
    }

    private void forward(Row u, List<ItemRow> items) {
        Map<UUID, MaintenanceWindow> open = u.respectWindows()
                ? windows.of(items.stream().map(ItemRow::databaseId).toList()) : Map.of();
        Instant now = clock.instant();
        List<UpdatePlan.Item> plan = items.stream().map(i -> new UpdatePlan.Item(i.databaseId(), i.position(),
                i.canary(), i.state(), !open.containsKey(i.databaseId()) || open.get(i.databaseId()).contains(now)))
                .toList();
        UpdatePlan.Decision decision = UpdatePlan.forward(plan, u.maxUnavailable(), u.failureThreshold(),
                u.acknowledgedFailures());
        if (decision instanceof UpdatePlan.Start s) {
            for (UUID db : s.databaseIds()) {
                start(u, item(items, db));
            }
        } else if (decision instanceof UpdatePlan.Pause p) {
            rows.setState(u.id(), "PAUSED", p.reason());
            log.warn("rolling update {} paused: {}", u.id(), p.reason());
        } else if (decision instanceof UpdatePlan.Complete c) {
            rows.finish(u.id(), "COMPLETED");
            if (c.clean() && u.targetRelease() != null) {
                // New databases start where the fleet now is.
                defaults.defaultRelease(u.targetRelease());
            }
            log.info("rolling update {} completed{}", u.id(), c.clean() ? "" : " with failures");
        }
    }

    private void backward(Row u, List<ItemRow> items) {
        List<UpdatePlan.Item> plan = items.stream().map(i -> new UpdatePlan.Item(i.databaseId(), i.position(),
                i.canary(), i.state(), true)).toList();
        UpdatePlan.Decision decision = UpdatePlan.backward(plan, u.maxUnavailable());
        if (decision instanceof UpdatePlan.Start s) {
            for (UUID db : s.databaseIds()) {
                revert(item(items, db));
            }
        } else if (decision instanceof UpdatePlan.Complete) {
            rows.finish(u.id(), "ROLLED_BACK");
        }
    }

    /** Puts the target in the database's spec and, when it runs, queues its restart task. */
    private void start(Row u, ItemRow item) {
        Optional<DatabaseTargets.Target> t = targets.lock(item.databaseId()).filter(DatabaseTargets.Target::live);
        if (t.isEmpty()) {
            rows.end(item, ItemState.SKIPPED, null, null, "no longer live (deleted, failed or not placed)");
            return;
        }
        DatabaseTargets.Target db = t.get();
        String release = u.targetRelease() != null ? u.targetRelease() : db.release();
        Map<String, String> merged = new TreeMap<>(db.settings());
        merged.putAll(u.targetSettings());
        // The full version it should answer with afterwards: the target's, or (settings only) the one it runs.
        String expected = u.targetRelease() != null ? u.targetRelease()
                : db.runningRelease() != null ? db.runningRelease() : db.release();
        rows.started(item, db, expected);
        if (expected.equals(db.runningRelease()) && release.equals(db.release()) && merged.equals(db.settings())) {
            rows.end(item, ItemState.UPDATED, 0L, db.runningRelease(), null);
            return;
        }
        long specVersion = targets.retarget(db.id(), release, merged);
        if (!db.running()) {
            // Not woken: it starts on the target at its next resume.
            rows.end(item, ItemState.UPDATED, 0L, null, null);
            return;
        }
        queueRestart(item, ItemState.UPDATING, db, specVersion, expected, merged);
    }

    /** Takes an updated database back to what it ran before the update. */
    private void revert(ItemRow item) {
        Optional<DatabaseTargets.Target> t = targets.lock(item.databaseId()).filter(DatabaseTargets.Target::live);
        if (t.isEmpty()) {
            rows.end(item, ItemState.SKIPPED, null, null, "no longer live (deleted, failed or not placed)");
            return;
        }
        DatabaseTargets.Target db = t.get();
        String expected = item.fromRunning() != null ? item.fromRunning() : item.fromRelease();
        long specVersion = targets.retarget(db.id(), item.fromRelease(), item.fromSettings());
        if (!db.running()) {
            rows.end(item, ItemState.REVERTED, 0L, null, null);
            return;
        }
        queueRestart(item, ItemState.REVERTING, db, specVersion, expected, item.fromSettings());
    }

    private void queueRestart(ItemRow item, ItemState state, DatabaseTargets.Target db, long specVersion,
                              String expected, Map<String, String> settingsWanted) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("computeId", db.id().toString());
        parameters.put("specVersion", specVersion);
        parameters.put("release", expected);
        parameters.put("settings", settingsWanted);
        ComputeTasks.Queued queued = tasks.queue(db.id(), OperationType.ROLLING_UPDATE, TASK_TYPE, parameters,
                settings.restartTimeout());
        rows.inFlight(item, state, queued.task().id(), specVersion);
        log.info("rolling update {}: {} {} (spec version {}, task {})", item.updateId(),
                state == ItemState.UPDATING ? "restarting" : "reverting", db.name(), specVersion, queued.task().id());
    }

    /** A restart in flight: its task's end moves the item on; a failed one puts the previous target back. */
    private void settleInFlight(Row u, ItemRow item) {
        Optional<ComputeTasks.TaskView> task = item.taskId() == null ? Optional.empty() : tasks.find(item.taskId());
        String state = task.map(ComputeTasks.TaskView::state).orElse("FAILED");
        if (state.equals("PENDING") || state.equals("RUNNING")) {
            return;
        }
        boolean forward = item.state() == ItemState.UPDATING;
        if (state.equals("SUCCEEDED")) {
            Map<String, Object> result = task.get().result() == null ? Map.of() : task.get().result();
            Long held = result.get("heldMillis") instanceof Number n ? n.longValue()
                    : Boolean.TRUE.equals(result.get("stopped")) ? 0L : null;
            String ended = result.get("release") instanceof String s ? s : null;
            rows.end(item, forward ? ItemState.UPDATED : ItemState.REVERTED, held, ended, null);
            return;
        }
        String error = task.map(t -> t.reasonCode() + ": " + t.message()).orElse("its restart task is gone");
        Optional<DatabaseTargets.Target> db = targets.lock(item.databaseId());
        if (forward && db.isPresent() && db.get().live()) {
            // The agent rolled the compute back (or never got to it): its spec goes back to match.
            targets.retarget(item.databaseId(), item.fromRelease(), item.fromSettings());
        }
        rows.end(item, ItemState.FAILED, null, db.map(DatabaseTargets.Target::runningRelease).orElse(null),
                forward ? error : "rollback failed: " + error);
        log.warn("rolling update {}: {} failed: {}", u.id(), item.databaseId(), error);
    }

    private static ItemRow item(List<ItemRow> items, UUID databaseId) {
        return items.stream().filter(i -> i.databaseId().equals(databaseId)).findFirst().orElseThrow();
    }
}
