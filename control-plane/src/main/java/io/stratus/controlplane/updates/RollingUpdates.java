package io.stratus.controlplane.updates;

import io.stratus.controlplane.databases.DatabaseTargets;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.fleet.FleetDefaults;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.ApiException.FieldError;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rolling updates: the operator's "move these databases to this release, or these settings", carried out a few
 * computes at a time. All progress is rows ({@code rolling_updates}, {@code rolling_update_items}); each step
 * ({@link #advance}) runs in one transaction holding the update's row ({@code FOR UPDATE SKIP LOCKED}), so a control
 * plane killed mid-step leaves the previous step's rows and the next control plane continues from them, and two
 * control planes never move one update (or one item) at once. One compute's update is a change of its spec (the
 * target release and settings, desired state) and, for a running one, a {@code restart-on-release} task with the
 * spec version that carries them, queued in the same transaction; the task's result moves the item on.
 */
@Service
public class RollingUpdates {

    private static final Logger log = LoggerFactory.getLogger(RollingUpdates.class);
    static final String TASK_TYPE = "restart-on-release";
    private static final int MAX_DATABASE_IDS = 1000;
    private static final TypeReference<TreeMap<String, String>> SETTINGS = new TypeReference<>() {
    };
    private static final String UPDATE_COLUMNS = "id, state, target_release, target_settings, selector, canary, "
            + "max_unavailable, failure_threshold, respect_windows, pause_reason, acknowledged_failures, created_by, "
            + "created_at, updated_at, finished_at";

    private final JdbcClient jdbc;
    private final DatabaseTargets targets;
    private final ComputeTasks tasks;
    private final Fleet fleet;
    private final FleetDefaults defaults;
    private final MaintenanceWindows windows;
    private final UpdateSettings settings;
    private final JsonMapper json;
    private final Clock clock;

    RollingUpdates(JdbcClient jdbc, DatabaseTargets targets, ComputeTasks tasks, Fleet fleet, FleetDefaults defaults,
                   MaintenanceWindows windows, UpdateSettings settings, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.targets = targets;
        this.tasks = tasks;
        this.fleet = fleet;
        this.defaults = defaults;
        this.windows = windows;
        this.settings = settings;
        this.json = json;
        this.clock = clock;
    }

    // ---- API records ----

    /** What to move to: a full version of the databases' major, and/or operator settings (set, others kept). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "RollingUpdateTarget")
    public record Target(String release, Map<String, String> settings) {
    }

    /** Which databases: exactly one of {@code all: true}, a tenant, a node, or a list of database ids. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "RollingUpdateSelector")
    public record Selector(Boolean all, UUID tenantId, UUID nodeId, List<UUID> databaseIds) {
    }

    @io.swagger.v3.oas.annotations.media.Schema(name = "CreateRollingUpdate")
    public record CreateRequest(Target target, Selector selector, Integer canary, Integer maxUnavailable,
                                Integer failureThreshold, Boolean respectMaintenanceWindows) {
    }

    /**
     * One database in an update.
     *
     * @param fromRelease    the full version it ran before (as its agent reported it), else what it asked for
     * @param toRelease      the target's version (or, settings only, the one it runs)
     * @param endedOn        the version it ended on: the target, or the one it was rolled back to
     * @param downtimeMillis how long its front door held new connections for the restart (0 for a suspended one, which
     *                       is not woken; null when not measured: an agent restarted mid-restart)
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "RollingUpdateItem")
    public record ItemView(UUID databaseId, int position, boolean canary, String fromRelease, String toRelease,
                           String endedOn, ItemState state, Long downtimeMillis,
                           String error, UUID taskId, Instant startedAt, Instant finishedAt) {
    }

    @io.swagger.v3.oas.annotations.media.Schema(name = "RollingUpdateProgress")
    public record Progress(int total, int done, int percent) {
    }

    @io.swagger.v3.oas.annotations.media.Schema(name = "RollingUpdate")
    public record RollingUpdateView(UUID id, String state, Target target, Selector selector, int canary,
                                    int maxUnavailable, int failureThreshold, boolean respectMaintenanceWindows,
                                    String pauseReason, Progress progress, Map<ItemState, Integer> counts,
                                    List<ItemView> items, String createdBy, Instant createdAt, Instant updatedAt,
                                    Instant finishedAt) {
    }

    // ---- commands ----

    /**
     * Validates and stores a rolling update with its items; the driver starts it within a tick.
     *
     * @throws ApiException 400 with every bad field; 409 {@code update-in-progress} when a selected database is in an
     *                      unfinished update
     */
    @Transactional
    public RollingUpdateView create(CreateRequest r, String createdBy) {
        List<FieldError> errors = new ArrayList<>();
        Target target = r.target();
        Map<String, String> targetSettings = target == null || target.settings() == null ? Map.of() : target.settings();
        if (target == null) {
            errors.add(new FieldError("target", "is required: a release and/or settings"));
        } else if (target.release() == null && targetSettings.isEmpty()) {
            errors.add(new FieldError("target", "must name a release or settings"));
        } else if (target.release() != null && !target.release().matches("^\\d{2}\\.\\d{1,9}$")) {
            errors.add(new FieldError("target.release", "must be a full Postgres version such as 15.18"));
        }
        errors.addAll(SettingsAllowList.check(targetSettings, "target.settings"));
        Selector sel = r.selector();
        if (sel == null) {
            errors.add(new FieldError("selector", "is required: {\"all\": true}, a tenantId, a nodeId or databaseIds"));
        } else {
            int named = (sel.all() != null ? 1 : 0) + (sel.tenantId() != null ? 1 : 0) + (sel.nodeId() != null ? 1 : 0)
                    + (sel.databaseIds() != null ? 1 : 0);
            if (named != 1) {
                errors.add(new FieldError("selector", "must name exactly one of all, tenantId, nodeId, databaseIds"));
            } else if (sel.all() != null && !sel.all()) {
                errors.add(new FieldError("selector.all", "must be true when given"));
            } else if (sel.databaseIds() != null && (sel.databaseIds().isEmpty()
                    || sel.databaseIds().size() > MAX_DATABASE_IDS || sel.databaseIds().contains(null))) {
                errors.add(new FieldError("selector.databaseIds", "must list 1 to " + MAX_DATABASE_IDS + " database ids"));
            }
        }
        int canary = r.canary() == null ? 1 : r.canary();
        int maxUnavailable = r.maxUnavailable() == null ? 1 : r.maxUnavailable();
        int failureThreshold = r.failureThreshold() == null ? 1 : r.failureThreshold();
        if (canary < 0) {
            errors.add(new FieldError("canary", "must be 0 or more"));
        }
        if (maxUnavailable < 1) {
            errors.add(new FieldError("maxUnavailable", "must be at least 1"));
        }
        if (failureThreshold < 1) {
            errors.add(new FieldError("failureThreshold", "must be at least 1"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        List<DatabaseTargets.Target> members = targets.select(sel.tenantId(), sel.nodeId(), sel.databaseIds());
        if (sel.databaseIds() != null) {
            Set<UUID> found = members.stream().map(DatabaseTargets.Target::id).collect(Collectors.toSet());
            List<UUID> missing = sel.databaseIds().stream().filter(id -> !found.contains(id)).distinct().toList();
            if (!missing.isEmpty()) {
                throw ApiException.invalid("selector.databaseIds", "not live databases with a compute: " + missing);
            }
        }
        if (members.isEmpty()) {
            throw ApiException.invalid("selector", "selects no live database with a compute");
        }
        if (target.release() != null) {
            checkRelease(target.release(), members);
        }
        List<UUID> busy = jdbc.sql("select distinct database_id from rolling_update_items where database_id = any(?) "
                        + "and state in ('PENDING', 'UPDATING', 'REVERTING')")
                .param(members.stream().map(DatabaseTargets.Target::id).toArray(UUID[]::new)).query(UUID.class).list();
        if (!busy.isEmpty()) {
            throw ApiException.conflict("update-in-progress", busy.size() + " of the selected databases are in an "
                    + "unfinished rolling update (e.g. " + busy.get(0) + "): abort or finish it first", "selector");
        }
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("insert into rolling_updates (id, state, target_release, target_settings, selector, canary, "
                        + "max_unavailable, failure_threshold, respect_windows, created_by, created_at, updated_at) "
                        + "values (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, target.release(), json.writeValueAsString(new TreeMap<>(targetSettings)),
                        json.writeValueAsString(sel), canary, maxUnavailable, failureThreshold,
                        Boolean.TRUE.equals(r.respectMaintenanceWindows()), createdBy, now, now)
                .update();
        int position = 0;
        for (DatabaseTargets.Target m : members) {
            jdbc.sql("insert into rolling_update_items (update_id, database_id, position, canary, node_id, from_release, "
                            + "from_running, to_release, state) values (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')")
                    .params(id, m.id(), position, position < canary, m.nodeId(), m.release(), m.runningRelease(),
                            target.release() != null ? target.release() : m.runningRelease())
                    .update();
            position++;
        }
        log.info("rolling update {} created: {} databases to {}{} (canary {}, maxUnavailable {})", id, members.size(),
                target.release() == null ? "their release" : "Postgres " + target.release(),
                targetSettings.isEmpty() ? "" : " with " + targetSettings, canary, maxUnavailable);
        return find(id).orElseThrow();
    }

    /** The release must be one some node has, of the databases' own major, on each of their nodes. */
    private void checkRelease(String release, List<DatabaseTargets.Target> members) {
        java.util.SortedSet<String> offered = fleet.offeredReleases();
        if (!offered.contains(release)) {
            throw ApiException.invalid("target.release", "no node runs PostgreSQL " + release + " (the fleet runs "
                    + (offered.isEmpty() ? "nothing yet" : String.join(", ", offered)) + ")");
        }
        String major = major(release);
        List<DatabaseTargets.Target> otherMajor = members.stream()
                .filter(m -> !major.equals(major(m.runningRelease() != null ? m.runningRelease() : m.release())))
                .toList();
        if (!otherMajor.isEmpty()) {
            DatabaseTargets.Target m = otherMajor.get(0);
            throw ApiException.invalid("target.release", "is PostgreSQL " + major + ", but " + otherMajor.size()
                    + " selected database(s) run PostgreSQL "
                    + major(m.runningRelease() != null ? m.runningRelease() : m.release()) + " (e.g. " + m.name()
                    + "): a rolling update changes the minor version only; a major version change needs pg_upgrade,"
                    + " which rolling updates do not do");
        }
        Map<UUID, List<String>> nodeReleases = new LinkedHashMap<>();
        for (DatabaseTargets.Target m : members) {
            List<String> has = nodeReleases.computeIfAbsent(m.nodeId(),
                    n -> fleet.find(n).map(Fleet.NodeView::releases).orElse(List.of()));
            if (!has.contains(release)) {
                throw ApiException.invalid("target.release", "node " + fleet.find(m.nodeId()).map(Fleet.NodeView::name)
                        .orElse(String.valueOf(m.nodeId())) + " (of database " + m.name() + ") does not have PostgreSQL "
                        + release + " (it has " + String.join(", ", has) + ")");
            }
        }
    }

    static String major(String release) {
        int dot = release.indexOf('.');
        return dot < 0 ? release : release.substring(0, dot);
    }

    @Transactional
    public RollingUpdateView pause(UUID id) {
        Row u = lockForCommand(id);
        requireState(u, "pause", "RUNNING");
        setState(id, "PAUSED", "paused by the operator");
        return find(id).orElseThrow();
    }

    /** Goes on; failures so far are acknowledged (only new ones count against the threshold). */
    @Transactional
    public RollingUpdateView resume(UUID id) {
        Row u = lockForCommand(id);
        requireState(u, "resume", "PAUSED");
        int failed = count(id, ItemState.FAILED);
        jdbc.sql("update rolling_updates set state = 'RUNNING', pause_reason = null, acknowledged_failures = ?, "
                + "updated_at = ? where id = ?").params(failed, Timestamp.from(clock.instant()), id).update();
        return find(id).orElseThrow();
    }

    /** Stops: nothing more starts; the restarts in flight finish, and what was updated stays updated. */
    @Transactional
    public RollingUpdateView abort(UUID id) {
        Row u = lockForCommand(id);
        requireState(u, "abort", "RUNNING", "PAUSED");
        skipPending(id, "aborted before its turn");
        setState(id, "ABORTING", null);
        return find(id).orElseThrow();
    }

    /** Takes the updated databases back to what they ran before, after the restarts in flight finish. */
    @Transactional
    public RollingUpdateView rollback(UUID id) {
        Row u = lockForCommand(id);
        requireState(u, "roll back", "RUNNING", "PAUSED", "ABORTING", "ABORTED", "COMPLETED");
        skipPending(id, "rolled back before its turn");
        jdbc.sql("update rolling_updates set state = 'ROLLING_BACK', pause_reason = null, finished_at = null, "
                + "updated_at = ? where id = ?").params(Timestamp.from(clock.instant()), id).update();
        return find(id).orElseThrow();
    }

    // ---- the driver's step ----

    /** The updates with work left, oldest first. */
    @Transactional(readOnly = true)
    public List<UUID> active() {
        return jdbc.sql("select id from rolling_updates where state in ('RUNNING', 'PAUSED', 'ABORTING', 'ROLLING_BACK') "
                + "order by created_at").query(UUID.class).list();
    }

    /**
     * One step of one update, in one transaction: the restarts in flight looked at (their tasks' results taken), then
     * what the plan says next started. Skipped when another control plane holds the update's row.
     */
    @Transactional
    public void advance(UUID id) {
        Optional<Row> locked = jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates where id = ? and state in "
                        + "('RUNNING', 'PAUSED', 'ABORTING', 'ROLLING_BACK') for update skip locked")
                .param(id).query(this::row).optional();
        if (locked.isEmpty()) {
            return;
        }
        Row u = locked.get();
        List<ItemRow> items = items(id);
        for (ItemRow item : items) {
            if (item.state().inFlight()) {
                settleInFlight(u, item);
            }
        }
        items = items(id);
        switch (u.state()) {
            case "RUNNING" -> forward(u, items);
            case "ABORTING" -> {
                if (items.stream().noneMatch(i -> i.state().inFlight())) {
                    finish(id, "ABORTED");
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
                start(u, items.stream().filter(i -> i.databaseId().equals(db)).findFirst().orElseThrow());
            }
        } else if (decision instanceof UpdatePlan.Pause p) {
            setState(u.id(), "PAUSED", p.reason());
            log.warn("rolling update {} paused: {}", u.id(), p.reason());
        } else if (decision instanceof UpdatePlan.Complete c) {
            finish(u.id(), "COMPLETED");
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
                revert(items.stream().filter(i -> i.databaseId().equals(db)).findFirst().orElseThrow());
            }
        } else if (decision instanceof UpdatePlan.Complete) {
            finish(u.id(), "ROLLED_BACK");
        }
    }

    /** Puts the target in the database's spec and, when it runs, queues its restart task. */
    private void start(Row u, ItemRow item) {
        Instant now = clock.instant();
        Optional<DatabaseTargets.Target> t = targets.lock(item.databaseId()).filter(DatabaseTargets.Target::live);
        if (t.isEmpty()) {
            endItem(item, ItemState.SKIPPED, null, null, "no longer live (deleted, failed or not placed)");
            return;
        }
        DatabaseTargets.Target db = t.get();
        String release = u.targetRelease() != null ? u.targetRelease() : db.release();
        Map<String, String> merged = new TreeMap<>(db.settings());
        merged.putAll(u.targetSettings());
        String expected = u.targetRelease() != null ? u.targetRelease()
                : db.runningRelease() != null ? db.runningRelease() : db.release();
        jdbc.sql("update rolling_update_items set from_release = ?, from_running = ?, from_settings = ?, to_release = ?, "
                        + "node_id = ?, started_at = ? where update_id = ? and database_id = ?")
                .params(db.release(), db.runningRelease(), json.writeValueAsString(new TreeMap<>(db.settings())),
                        expected, db.nodeId(), Timestamp.from(now), item.updateId(), item.databaseId())
                .update();
        if (expected.equals(db.runningRelease()) && release.equals(db.release()) && merged.equals(db.settings())) {
            endItem(item, ItemState.UPDATED, 0L, db.runningRelease(), null);
            return;
        }
        long specVersion = targets.retarget(db.id(), release, merged);
        if (!db.running()) {
            // Not woken: it starts on the target at its next resume.
            endItem(item, ItemState.UPDATED, 0L, null, null);
            return;
        }
        queueRestart(item, ItemState.UPDATING, db, specVersion, expected, merged);
    }

    /** Takes an updated database back to what it ran before the update. */
    private void revert(ItemRow item) {
        Optional<DatabaseTargets.Target> t = targets.lock(item.databaseId()).filter(DatabaseTargets.Target::live);
        if (t.isEmpty()) {
            endItem(item, ItemState.SKIPPED, null, null, "no longer live (deleted, failed or not placed)");
            return;
        }
        DatabaseTargets.Target db = t.get();
        Map<String, String> previous = item.fromSettings();
        String expected = item.fromRunning() != null ? item.fromRunning() : item.fromRelease();
        long specVersion = targets.retarget(db.id(), item.fromRelease(), previous);
        if (!db.running()) {
            endItem(item, ItemState.REVERTED, 0L, null, null);
            return;
        }
        queueRestart(item, ItemState.REVERTING, db, specVersion, expected, previous);
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
        jdbc.sql("update rolling_update_items set state = ?, task_id = ?, spec_version = ?, error = null "
                        + "where update_id = ? and database_id = ?")
                .params(state.name(), queued.task().id(), specVersion, item.updateId(), item.databaseId()).update();
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
            endItem(item, forward ? ItemState.UPDATED : ItemState.REVERTED, held, ended, null);
            return;
        }
        String error = task.map(t -> t.reasonCode() + ": " + t.message()).orElse("its restart task is gone");
        Optional<DatabaseTargets.Target> db = targets.lock(item.databaseId());
        if (forward && db.isPresent() && db.get().live()) {
            // The agent rolled the compute back (or never got to it): its spec goes back to match.
            targets.retarget(item.databaseId(), item.fromRelease(), item.fromSettings());
        }
        endItem(item, ItemState.FAILED, null, db.map(DatabaseTargets.Target::runningRelease).orElse(null),
                forward ? error : "rollback failed: " + error);
        log.warn("rolling update {}: {} failed: {}", u.id(), item.databaseId(), error);
    }

    private void endItem(ItemRow item, ItemState state, Long downtime, String endedOn, String error) {
        Instant now = clock.instant();
        jdbc.sql("update rolling_update_items set state = ?, downtime_ms = ?, ended_on = coalesce(?, ended_on), "
                        + "error = ?, started_at = coalesce(started_at, ?), finished_at = ? "
                        + "where update_id = ? and database_id = ?")
                .params(state.name(), downtime, endedOn, error, Timestamp.from(now), Timestamp.from(now),
                        item.updateId(), item.databaseId())
                .update();
    }

    private void skipPending(UUID id, String why) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("update rolling_update_items set state = 'SKIPPED', error = ?, finished_at = ? where update_id = ? "
                + "and state = 'PENDING'").params(why, now, id).update();
    }

    private void setState(UUID id, String state, String reason) {
        jdbc.sql("update rolling_updates set state = ?, pause_reason = ?, updated_at = ? where id = ?")
                .params(state, reason, Timestamp.from(clock.instant()), id).update();
    }

    private void finish(UUID id, String state) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("update rolling_updates set state = ?, updated_at = ?, finished_at = ? where id = ?")
                .params(state, now, now, id).update();
    }

    private int count(UUID id, ItemState state) {
        return jdbc.sql("select count(*) from rolling_update_items where update_id = ? and state = ?")
                .params(id, state.name()).query(Integer.class).single();
    }

    private Row lockForCommand(UUID id) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates where id = ? for update").param(id)
                .query(this::row).optional().orElseThrow(() -> ApiException.notFound("rolling update"));
    }

    private static void requireState(Row u, String action, String... allowed) {
        if (!List.of(allowed).contains(u.state())) {
            throw ApiException.conflict("invalid-state", "cannot " + action + " a rolling update that is " + u.state()
                    + " (only one that is " + String.join(" or ", allowed) + ")", null);
        }
    }

    // ---- reads ----

    @Transactional(readOnly = true)
    public Optional<RollingUpdateView> find(UUID id) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates where id = ?").param(id).query(this::row)
                .optional().map(this::view);
    }

    /** The newest updates first, at most {@code limit}, each with its counts but not its items. */
    @Transactional(readOnly = true)
    public List<RollingUpdateView> list(int limit) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates order by created_at desc, id limit ?")
                .param(limit).query(this::row).list().stream()
                .map(u -> {
                    RollingUpdateView v = view(u);
                    return new RollingUpdateView(v.id(), v.state(), v.target(), v.selector(), v.canary(),
                            v.maxUnavailable(), v.failureThreshold(), v.respectMaintenanceWindows(), v.pauseReason(),
                            v.progress(), v.counts(), List.of(), v.createdBy(), v.createdAt(), v.updatedAt(),
                            v.finishedAt());
                }).toList();
    }

    private RollingUpdateView view(Row u) {
        List<ItemRow> items = items(u.id());
        Map<ItemState, Integer> counts = new EnumMap<>(ItemState.class);
        for (ItemState s : ItemState.values()) {
            counts.put(s, 0);
        }
        items.forEach(i -> counts.merge(i.state(), 1, Integer::sum));
        int done = (int) items.stream().filter(i -> i.state().settled()).count();
        Progress progress = new Progress(items.size(), done, items.isEmpty() ? 100 : done * 100 / items.size());
        List<ItemView> views = items.stream().map(i -> new ItemView(i.databaseId(), i.position(), i.canary(),
                i.fromRunning() != null ? i.fromRunning() : i.fromRelease(), i.toRelease(), i.endedOn(),
                i.state(), i.downtimeMs(), i.error(), i.taskId(), i.startedAt(), i.finishedAt()))
                .toList();
        return new RollingUpdateView(u.id(), u.state(), new Target(u.targetRelease(), u.targetSettings()),
                u.selector(), u.canary(), u.maxUnavailable(), u.failureThreshold(), u.respectWindows(),
                u.pauseReason(), progress, counts, views, u.createdBy(), u.createdAt(), u.updatedAt(), u.finishedAt());
    }

    // ---- rows ----

    private record Row(UUID id, String state, String targetRelease, Map<String, String> targetSettings,
                       Selector selector, int canary, int maxUnavailable, int failureThreshold, boolean respectWindows,
                       String pauseReason, int acknowledgedFailures, String createdBy, Instant createdAt,
                       Instant updatedAt, Instant finishedAt) {
    }

    private record ItemRow(UUID updateId, UUID databaseId, int position, boolean canary, String fromRelease,
                           String fromRunning, Map<String, String> fromSettings, String toRelease, String endedOn,
                           ItemState state, UUID taskId, Long downtimeMs, String error, Instant startedAt,
                           Instant finishedAt) {
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getString("state"), rs.getString("target_release"),
                settings(rs.getString("target_settings")), json.readValue(rs.getString("selector"), Selector.class),
                rs.getInt("canary"), rs.getInt("max_unavailable"), rs.getInt("failure_threshold"),
                rs.getBoolean("respect_windows"), rs.getString("pause_reason"), rs.getInt("acknowledged_failures"),
                rs.getString("created_by"), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "finished_at"));
    }

    private List<ItemRow> items(UUID id) {
        return jdbc.sql("select update_id, database_id, position, canary, from_release, from_running, from_settings, "
                        + "to_release, ended_on, state, task_id, downtime_ms, error, started_at, finished_at "
                        + "from rolling_update_items where update_id = ? order by position")
                .param(id)
                .query((rs, n) -> new ItemRow(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getInt(3),
                        rs.getBoolean(4), rs.getString(5), rs.getString(6), settings(rs.getString(7)), rs.getString(8),
                        rs.getString(9), ItemState.valueOf(rs.getString(10)), rs.getObject(11, UUID.class),
                        (Long) rs.getObject(12), rs.getString(13), instant(rs, "started_at"),
                        instant(rs, "finished_at")))
                .list();
    }

    private Map<String, String> settings(String text) {
        return text == null || text.isBlank() ? Map.of() : Map.copyOf(json.readValue(text, SETTINGS));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
