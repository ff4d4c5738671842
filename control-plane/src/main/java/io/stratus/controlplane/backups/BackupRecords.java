package io.stratus.controlplane.backups;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The backups table: every backup of every database, written only by this feature. */
@Repository
class BackupRecords {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, database_id, operation_id, trigger, scheduled_for, state, reason_code, "
            + "message, created_at, method, started_at, stopped_at, finished_at, size_bytes, files, release, timeline, "
            + "start_lsn, stop_lsn, start_wal, stop_wal, manifest_key, expired_at, verification_state, "
            + "verification_reason, verification_message, verification_result::text as verification_result, "
            + "verification_started_at, verified_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    BackupRecords(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(UUID id, UUID tenantId, UUID databaseId, UUID operationId, UUID taskId, String trigger,
                Instant scheduledFor, Instant now) {
        jdbc.sql("insert into backups (id, tenant_id, database_id, operation_id, task_id, trigger, scheduled_for, state, "
                        + "created_at) values (?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?)")
                .params(id, tenantId, databaseId, operationId, taskId, trigger, ts(scheduledFor), ts(now))
                .update();
    }

    Optional<Backup> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from backups where id = ?").param(id).query(this::backup).optional();
    }

    Optional<Backup> findOfTenant(UUID tenantId, UUID id) {
        return jdbc.sql("select " + COLUMNS + " from backups where id = ? and tenant_id = ?").params(id, tenantId)
                .query(this::backup).optional();
    }

    /** Locks the row until the caller's transaction ends: a restore from it and its expiry take turns. */
    Optional<Backup> lock(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from backups where id = ? for update").param(id)
                .query(this::backup).optional();
    }

    /** The database's backups, newest first. */
    List<Backup> ofDatabase(UUID databaseId, int limit) {
        return jdbc.sql("select " + COLUMNS + " from backups where database_id = ? order by created_at desc, id limit ?")
                .params(databaseId, limit).query(this::backup).list();
    }

    /** The backups of these databases that are not expired, newest first. */
    List<Backup> keptOf(Collection<UUID> databaseIds) {
        return jdbc.sql("select " + COLUMNS + " from backups where database_id = any(?) and state <> 'EXPIRED' "
                        + "order by created_at desc, id")
                .param(uuids(databaseIds)).query(this::backup).list();
    }

    /** The newest backup (any state) of each of these databases, and the newest verified-or-not one. */
    List<Backup> latestAttempts(Collection<UUID> databaseIds) {
        return jdbc.sql("select distinct on (database_id) " + COLUMNS + " from backups where database_id = any(?) "
                        + "order by database_id, created_at desc, id")
                .param(uuids(databaseIds)).query(this::backup).list();
    }

    /** Of each of these databases, the backup whose verification started last. */
    List<Backup> latestVerifications(Collection<UUID> databaseIds) {
        return jdbc.sql("select distinct on (database_id) " + COLUMNS + " from backups where database_id = any(?) "
                        + "and verification_started_at is not null order by database_id, verification_started_at desc, id")
                .param(uuids(databaseIds)).query(this::backup).list();
    }

    boolean runningFor(UUID databaseId) {
        return jdbc.sql("select count(*) from backups where database_id = ? and state = 'RUNNING'").param(databaseId)
                .query(Long.class).single() > 0;
    }

    boolean firingTaken(UUID databaseId, Instant scheduledFor) {
        return jdbc.sql("select count(*) from backups where database_id = ? and scheduled_for = ?")
                .params(databaseId, ts(scheduledFor)).query(Long.class).single() > 0;
    }

    /** What a succeeded backup task reported. */
    record Result(String method, String release, Long timeline, String startLsn, String stopLsn, String startWal,
                  String stopWal, Instant startedAt, Instant stoppedAt, Instant finishedAt, Long sizeBytes,
                  Integer files, String manifestKey) {
    }

    /** @return whether a running backup of that task was there to succeed */
    boolean succeed(UUID taskId, Result r, String message) {
        return jdbc.sql("update backups set state = 'SUCCEEDED', message = ?, method = ?, release = ?, timeline = ?, "
                        + "start_lsn = ?, stop_lsn = ?, start_wal = ?, stop_wal = ?, started_at = ?, stopped_at = ?, "
                        + "finished_at = ?, size_bytes = ?, files = ?, manifest_key = ? "
                        + "where task_id = ? and state = 'RUNNING'")
                .params(message, r.method(), r.release(), r.timeline(), r.startLsn(), r.stopLsn(), r.startWal(),
                        r.stopWal(), ts(r.startedAt()), ts(r.stoppedAt()), ts(r.finishedAt()), r.sizeBytes(), r.files(),
                        r.manifestKey(), taskId)
                .update() > 0;
    }

    boolean fail(UUID taskId, String reasonCode, String message, Instant now) {
        return jdbc.sql("update backups set state = 'FAILED', reason_code = ?, message = ?, finished_at = ? "
                        + "where task_id = ? and state = 'RUNNING'")
                .params(reasonCode, message, ts(now), taskId).update() > 0;
    }

    void verificationStarted(UUID backupId, UUID taskId, Instant now) {
        jdbc.sql("update backups set verification_state = 'RUNNING', verification_task_id = ?, verification_reason = null, "
                        + "verification_message = null, verification_result = null, verification_started_at = ?, "
                        + "verified_at = null where id = ?")
                .params(taskId, ts(now), backupId).update();
    }

    boolean verificationSucceeded(UUID taskId, Map<String, Object> result, String message, Instant now) {
        return jdbc.sql("update backups set verification_state = 'SUCCEEDED', verification_message = ?, "
                        + "verification_result = ?::jsonb, verified_at = ?, "
                        + "state = case when state = 'SUCCEEDED' then 'VERIFIED' else state end "
                        + "where verification_task_id = ? and verification_state = 'RUNNING'")
                .params(message, json.writeValueAsString(result), ts(now), taskId).update() > 0;
    }

    boolean verificationFailed(UUID taskId, String reasonCode, String message, Instant now) {
        return jdbc.sql("update backups set verification_state = 'FAILED', verification_reason = ?, "
                        + "verification_message = ?, verified_at = ? "
                        + "where verification_task_id = ? and verification_state = 'RUNNING'")
                .params(reasonCode, message, ts(now), taskId).update() > 0;
    }

    /** Databases with backups not yet expired, or expired ones whose objects are still in the store. */
    List<UUID> databasesWithStoredBackups() {
        return jdbc.sql("select distinct database_id from backups where state <> 'EXPIRED' or store_deleted_at is null")
                .query(UUID.class).list();
    }

    /** {@link #databasesWithStoredBackups()} with each database's tenant. */
    Map<UUID, UUID> tenantsOfDatabasesWithStoredBackups() {
        Map<UUID, UUID> tenants = new java.util.HashMap<>();
        jdbc.sql("select distinct database_id, tenant_id from backups where state <> 'EXPIRED' or store_deleted_at is null")
                .query(rs -> {
                    tenants.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        return tenants;
    }

    void expire(UUID id, Instant now) {
        jdbc.sql("update backups set state = 'EXPIRED', expired_at = ? where id = ? and state <> 'RUNNING'")
                .params(ts(now), id).update();
    }

    /** Expired backups of the database whose objects are still to be deleted. */
    List<UUID> expiredNotDeleted(UUID databaseId) {
        return jdbc.sql("select id from backups where database_id = ? and state = 'EXPIRED' and store_deleted_at is null")
                .param(databaseId).query(UUID.class).list();
    }

    void storeDeleted(UUID id, Instant now) {
        jdbc.sql("update backups set store_deleted_at = ? where id = ?").params(ts(now), id).update();
    }

    /** The newest good backup of each database that has one and no verification running, for the verifier. */
    List<Backup> newestGoodPerDatabase() {
        return jdbc.sql("select distinct on (database_id) " + COLUMNS + " from backups "
                        + "where state in ('SUCCEEDED', 'VERIFIED') "
                        + "and (verification_state is null or verification_state <> 'FAILED' "
                        + "or verification_reason like 'store-%') "
                        + "order by database_id, stopped_at desc, id")
                .query(this::backup).list();
    }

    private Backup backup(ResultSet rs, int row) throws SQLException {
        String verificationState = rs.getString("verification_state");
        String result = rs.getString("verification_result");
        Backup.Verification verification = verificationState == null ? null : new Backup.Verification(
                verificationState, rs.getString("verification_reason"), rs.getString("verification_message"),
                result == null ? null : json.readValue(result, OBJECT), instant(rs, "verification_started_at"),
                instant(rs, "verified_at"));
        return new Backup(rs.getObject("id", UUID.class), rs.getObject("database_id", UUID.class),
                rs.getObject("operation_id", UUID.class), rs.getString("trigger"), instant(rs, "scheduled_for"),
                rs.getString("state"), rs.getString("reason_code"), rs.getString("message"), instant(rs, "created_at"),
                rs.getString("method"), instant(rs, "started_at"), instant(rs, "stopped_at"),
                instant(rs, "finished_at"), (Long) rs.getObject("size_bytes", Long.class),
                rs.getObject("files", Integer.class), rs.getString("release"), rs.getObject("timeline", Long.class),
                rs.getString("start_lsn"), rs.getString("stop_lsn"), rs.getString("start_wal"),
                rs.getString("stop_wal"), rs.getString("manifest_key"), instant(rs, "expired_at"), verification);
    }

    private static UUID[] uuids(Collection<UUID> ids) {
        return ids.toArray(UUID[]::new);
    }

    private static Timestamp ts(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
