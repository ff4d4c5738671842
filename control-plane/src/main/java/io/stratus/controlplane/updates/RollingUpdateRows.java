package io.stratus.controlplane.updates;

import io.stratus.controlplane.databases.DatabaseTargets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rows of rolling updates ({@code rolling_updates}) and their items ({@code rolling_update_items}): every read and
 * write of them, called inside the caller's transaction.
 */
@Component
class RollingUpdateRows {

    private static final TypeReference<TreeMap<String, String>> SETTINGS = new TypeReference<>() {
    };
    private static final String UPDATE_COLUMNS = "id, state, target_release, target_settings, selector, canary, "
            + "max_unavailable, failure_threshold, respect_windows, pause_reason, acknowledged_failures, created_by, "
            + "created_at, updated_at, finished_at";
    private static final String ACTIVE = "('RUNNING', 'PAUSED', 'ABORTING', 'ROLLING_BACK')";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    RollingUpdateRows(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** An update as stored. */
    record Row(UUID id, String state, String targetRelease, Map<String, String> targetSettings,
               RollingUpdates.Selector selector, int canary, int maxUnavailable, int failureThreshold,
               boolean respectWindows, String pauseReason, int acknowledgedFailures, String createdBy,
               Instant createdAt, Instant updatedAt, Instant finishedAt) {
    }

    /** An item as stored. */
    record ItemRow(UUID updateId, UUID databaseId, int position, boolean canary, String fromRelease,
                   String fromRunning, Map<String, String> fromSettings, String toRelease, String endedOn,
                   ItemState state, UUID taskId, Long downtimeMs, String error, Instant startedAt,
                   Instant finishedAt) {
    }

    // ---- updates ----

    void insert(UUID id, RollingUpdateRequests.Valid valid, String createdBy) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("insert into rolling_updates (id, state, target_release, target_settings, selector, canary, "
                        + "max_unavailable, failure_threshold, respect_windows, created_by, created_at, updated_at) "
                        + "values (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, valid.target().release(), json.writeValueAsString(new TreeMap<>(valid.target().settings())),
                        json.writeValueAsString(valid.selector()), valid.canary(), valid.maxUnavailable(),
                        valid.failureThreshold(), valid.respectMaintenanceWindows(), createdBy, now, now)
                .update();
    }

    Optional<Row> find(UUID id) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates where id = ?").param(id).query(this::row)
                .optional();
    }

    List<Row> newest(int limit) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates order by created_at desc, id limit ?")
                .param(limit).query(this::row).list();
    }

    /** The updates with work left, oldest first. */
    List<UUID> active() {
        return jdbc.sql("select id from rolling_updates where state in " + ACTIVE + " order by created_at")
                .query(UUID.class).list();
    }

    /** The update's row, locked, when it has work left and no other transaction holds it. */
    Optional<Row> lockForStep(UUID id) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates where id = ? and state in " + ACTIVE
                + " for update skip locked").param(id).query(this::row).optional();
    }

    /** The update's row, locked (waiting for a step in progress). */
    Optional<Row> lockForCommand(UUID id) {
        return jdbc.sql("select " + UPDATE_COLUMNS + " from rolling_updates where id = ? for update").param(id)
                .query(this::row).optional();
    }

    void setState(UUID id, String state, String reason) {
        jdbc.sql("update rolling_updates set state = ?, pause_reason = ?, updated_at = ? where id = ?")
                .params(state, reason, Timestamp.from(clock.instant()), id).update();
    }

    /** Running again, the failures so far acknowledged. */
    void resume(UUID id, int acknowledgedFailures) {
        jdbc.sql("update rolling_updates set state = 'RUNNING', pause_reason = null, acknowledged_failures = ?, "
                + "updated_at = ? where id = ?").params(acknowledgedFailures, Timestamp.from(clock.instant()), id)
                .update();
    }

    void rollingBack(UUID id) {
        jdbc.sql("update rolling_updates set state = 'ROLLING_BACK', pause_reason = null, finished_at = null, "
                + "updated_at = ? where id = ?").params(Timestamp.from(clock.instant()), id).update();
    }

    void finish(UUID id, String state) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("update rolling_updates set state = ?, updated_at = ?, finished_at = ? where id = ?")
                .params(state, now, now, id).update();
    }

    // ---- items ----

    void insertItem(UUID updateId, int position, boolean canary, DatabaseTargets.Target db, String toRelease) {
        jdbc.sql("insert into rolling_update_items (update_id, database_id, position, canary, node_id, from_release, "
                        + "from_running, to_release, state) values (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')")
                .params(updateId, db.id(), position, canary, db.nodeId(), db.release(), db.runningRelease(), toRelease)
                .update();
    }

    List<ItemRow> items(UUID id) {
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

    /** Those of the databases that are in an unfinished update. */
    List<UUID> busy(List<UUID> databaseIds) {
        return jdbc.sql("select distinct database_id from rolling_update_items where database_id = any(?) "
                        + "and state in ('PENDING', 'UPDATING', 'REVERTING')")
                .param(databaseIds.toArray(UUID[]::new)).query(UUID.class).list();
    }

    /** What the database asked for and ran when its turn came, and what it goes to. */
    void started(ItemRow item, DatabaseTargets.Target db, String toRelease) {
        jdbc.sql("update rolling_update_items set from_release = ?, from_running = ?, from_settings = ?, to_release = ?, "
                        + "node_id = ?, started_at = ? where update_id = ? and database_id = ?")
                .params(db.release(), db.runningRelease(), json.writeValueAsString(new TreeMap<>(db.settings())),
                        toRelease, db.nodeId(), Timestamp.from(clock.instant()), item.updateId(), item.databaseId())
                .update();
    }

    void inFlight(ItemRow item, ItemState state, UUID taskId, long specVersion) {
        jdbc.sql("update rolling_update_items set state = ?, task_id = ?, spec_version = ?, error = null "
                        + "where update_id = ? and database_id = ?")
                .params(state.name(), taskId, specVersion, item.updateId(), item.databaseId()).update();
    }

    void end(ItemRow item, ItemState state, Long downtime, String endedOn, String error) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("update rolling_update_items set state = ?, downtime_ms = ?, ended_on = coalesce(?, ended_on), "
                        + "error = ?, started_at = coalesce(started_at, ?), finished_at = ? "
                        + "where update_id = ? and database_id = ?")
                .params(state.name(), downtime, endedOn, error, now, now, item.updateId(), item.databaseId())
                .update();
    }

    void skipPending(UUID id, String why) {
        jdbc.sql("update rolling_update_items set state = 'SKIPPED', error = ?, finished_at = ? where update_id = ? "
                + "and state = 'PENDING'").params(why, Timestamp.from(clock.instant()), id).update();
    }

    int count(UUID id, ItemState state) {
        return jdbc.sql("select count(*) from rolling_update_items where update_id = ? and state = ?")
                .params(id, state.name()).query(Integer.class).single();
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getString("state"), rs.getString("target_release"),
                settings(rs.getString("target_settings")),
                json.readValue(rs.getString("selector"), RollingUpdates.Selector.class),
                rs.getInt("canary"), rs.getInt("max_unavailable"), rs.getInt("failure_threshold"),
                rs.getBoolean("respect_windows"), rs.getString("pause_reason"), rs.getInt("acknowledged_failures"),
                rs.getString("created_by"), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "finished_at"));
    }

    private Map<String, String> settings(String text) {
        return text == null || text.isBlank() ? Map.of() : Map.copyOf(json.readValue(text, SETTINGS));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
