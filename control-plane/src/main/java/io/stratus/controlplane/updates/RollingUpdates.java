package io.stratus.controlplane.updates;

import io.stratus.controlplane.databases.DatabaseTargets;
import io.stratus.controlplane.updates.RollingUpdateRows.ItemRow;
import io.stratus.controlplane.updates.RollingUpdateRows.Row;
import io.stratus.controlplane.web.ApiException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Rolling updates, the operator's "move these databases to this release, or these settings", carried out a few
 * computes at a time: created here with one item per database, moved on by {@link RollingUpdateSteps} (driven by
 * {@link RollingUpdateDriver}), paused, resumed, aborted or rolled back here. All progress is rows
 * ({@link RollingUpdateRows}); commands lock the update's row, so they wait for a step in progress and a step never
 * sees half a command.
 */
@Service
public class RollingUpdates {

    private static final Logger log = LoggerFactory.getLogger(RollingUpdates.class);

    private final RollingUpdateRows rows;
    private final DatabaseTargets targets;
    private final TargetReleaseCheck releases;

    RollingUpdates(RollingUpdateRows rows, DatabaseTargets targets, TargetReleaseCheck releases) {
        this.rows = rows;
        this.targets = targets;
        this.releases = releases;
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
        RollingUpdateRequests.Valid valid = RollingUpdateRequests.validate(r);
        Selector sel = valid.selector();
        Target target = valid.target();
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
            releases.requireRunnable(target.release(), members);
        }
        List<UUID> busy = rows.busy(members.stream().map(DatabaseTargets.Target::id).toList());
        if (!busy.isEmpty()) {
            throw ApiException.conflict("update-in-progress", busy.size() + " of the selected databases are in an "
                    + "unfinished rolling update (e.g. " + busy.get(0) + "): abort or finish it first", "selector");
        }
        UUID id = UUID.randomUUID();
        rows.insert(id, valid, createdBy);
        int position = 0;
        for (DatabaseTargets.Target m : members) {
            rows.insertItem(id, position, position < valid.canary(), m,
                    target.release() != null ? target.release() : m.runningRelease());
            position++;
        }
        log.info("rolling update {} created: {} databases to {}{} (canary {}, maxUnavailable {})", id, members.size(),
                target.release() == null ? "their release" : "Postgres " + target.release(),
                target.settings().isEmpty() ? "" : " with " + target.settings(), valid.canary(),
                valid.maxUnavailable());
        return find(id).orElseThrow();
    }

    @Transactional
    public RollingUpdateView pause(UUID id) {
        requireState(lock(id), "pause", "RUNNING");
        rows.setState(id, "PAUSED", "paused by the operator");
        return find(id).orElseThrow();
    }

    /** Goes on; failures so far are acknowledged (only new ones count against the threshold). */
    @Transactional
    public RollingUpdateView resume(UUID id) {
        requireState(lock(id), "resume", "PAUSED");
        rows.resume(id, rows.count(id, ItemState.FAILED));
        return find(id).orElseThrow();
    }

    /** Stops: nothing more starts; the restarts in flight finish, and what was updated stays updated. */
    @Transactional
    public RollingUpdateView abort(UUID id) {
        requireState(lock(id), "abort", "RUNNING", "PAUSED");
        rows.skipPending(id, "aborted before its turn");
        rows.setState(id, "ABORTING", null);
        return find(id).orElseThrow();
    }

    /** Takes the updated databases back to what they ran before, after the restarts in flight finish. */
    @Transactional
    public RollingUpdateView rollback(UUID id) {
        requireState(lock(id), "roll back", "RUNNING", "PAUSED", "ABORTING", "ABORTED", "COMPLETED");
        rows.skipPending(id, "rolled back before its turn");
        rows.rollingBack(id);
        return find(id).orElseThrow();
    }

    private Row lock(UUID id) {
        return rows.lockForCommand(id).orElseThrow(() -> ApiException.notFound("rolling update"));
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
        return rows.find(id).map(u -> view(u, true));
    }

    /** The newest updates first, at most {@code limit}, each with its counts but not its items. */
    @Transactional(readOnly = true)
    public List<RollingUpdateView> list(int limit) {
        return rows.newest(limit).stream().map(u -> view(u, false)).toList();
    }

    private RollingUpdateView view(Row u, boolean withItems) {
        List<ItemRow> items = rows.items(u.id());
        Map<ItemState, Integer> counts = new EnumMap<>(ItemState.class);
        for (ItemState s : ItemState.values()) {
            counts.put(s, 0);
        }
        items.forEach(i -> counts.merge(i.state(), 1, Integer::sum));
        int done = (int) items.stream().filter(i -> i.state().settled()).count();
        Progress progress = new Progress(items.size(), done, items.isEmpty() ? 100 : done * 100 / items.size());
        List<ItemView> views = !withItems ? List.of() : items.stream().map(i -> new ItemView(i.databaseId(),
                i.position(), i.canary(), i.fromRunning() != null ? i.fromRunning() : i.fromRelease(), i.toRelease(),
                i.endedOn(), i.state(), i.downtimeMs(), i.error(), i.taskId(), i.startedAt(), i.finishedAt())).toList();
        return new RollingUpdateView(u.id(), u.state(), new Target(u.targetRelease(), u.targetSettings()),
                u.selector(), u.canary(), u.maxUnavailable(), u.failureThreshold(), u.respectWindows(),
                u.pauseReason(), progress, counts, views, u.createdBy(), u.createdAt(), u.updatedAt(), u.finishedAt());
    }
}
