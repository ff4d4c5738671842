package io.stratus.controlplane.databases;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's database and its compute: the spec (desired) and what the agent last reported (observed). The spec
 * version increases with every change the agent must apply.
 */
@Entity
@Table(name = "databases")
class Database extends AbstractEntity {

    @Column(name = "tenant_id")
    private UUID tenantId;
    private String name;
    private String endpoint;
    @Enumerated(EnumType.STRING)
    private DatabaseState state;
    @Column(name = "min_cu")
    private BigDecimal minCu;
    @Column(name = "max_cu")
    private BigDecimal maxCu;
    @Column(name = "current_cu")
    private BigDecimal currentCu;
    private String release;
    @Column(name = "owner_role")
    private String ownerRole;
    @Column(name = "owner_verifier")
    private String ownerVerifier;
    private boolean running;
    @Column(name = "spec_version")
    private long specVersion;
    @Column(name = "observed_spec_version")
    private long observedSpecVersion;
    @Column(name = "node_id")
    private UUID nodeId;
    @Column(name = "delete_generation")
    private Long deleteGeneration;
    private String message;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "deleted_at")
    private Instant deletedAt;
    @Column(name = "suspend_timeout_seconds")
    private int suspendTimeoutSeconds;
    @Column(name = "pg_stat_statements")
    private boolean pgStatStatements;
    private String enforcement;
    @Column(name = "applied_cu")
    private BigDecimal appliedCu;
    @Column(name = "last_active_at")
    private Instant lastActiveAt;
    @Column(name = "cu_changed_at")
    private Instant cuChangedAt;
    @Column(name = "stored_bytes")
    private Long storedBytes;
    @Column(name = "storage_limited")
    private boolean storageLimited;
    @Column(name = "restore_source_database_id")
    private UUID restoreSourceDatabaseId;
    @Column(name = "restore_backup_id")
    private UUID restoreBackupId;
    @Column(name = "restore_target_time")
    private Instant restoreTargetTime;
    @Column(name = "restore_source_name")
    private String restoreSourceName;
    @Column(name = "restore_source_owner_role")
    private String restoreSourceOwnerRole;
    @Column(name = "running_release")
    private String runningRelease;
    @Column(name = "pg_settings")
    @Convert(converter = PgSettingsColumn.class)
    private Map<String, String> settings = Map.of();

    protected Database() {
    }

    Database(UUID tenantId, String name, BigDecimal minCu, BigDecimal maxCu, String release, String ownerRole,
             String ownerVerifier, int suspendTimeoutSeconds, boolean pgStatStatements, Instant now) {
        super(UUID.randomUUID());
        this.tenantId = tenantId;
        this.name = name;
        this.endpoint = Endpoints.generate();
        this.state = DatabaseState.PROVISIONING;
        this.minCu = minCu;
        this.maxCu = maxCu;
        this.currentCu = minCu;
        this.release = release;
        this.ownerRole = ownerRole;
        this.ownerVerifier = ownerVerifier;
        this.running = true;
        this.specVersion = 1;
        this.createdAt = now;
        this.suspendTimeoutSeconds = suspendTimeoutSeconds;
        this.pgStatStatements = pgStatStatements;
        this.enforcement = "none";
        this.lastActiveAt = now;
        this.cuChangedAt = now;
    }

    /**
     * Makes this new database a restore of {@code source}'s backup: its compute's data directory is built from the
     * backup store (replayed to {@code targetTime}, or to the backup's end when null) instead of an empty one.
     */
    void restoreFrom(Database source, UUID backupId, Instant targetTime) {
        restoreSourceDatabaseId = source.getId();
        restoreBackupId = backupId;
        restoreTargetTime = targetTime;
        restoreSourceName = source.name();
        restoreSourceOwnerRole = DatabaseRequests.ownerRoleFor(source.name());
    }

    /** Where the compute's data comes from; null for a database created empty. */
    io.stratus.protocol.RestoreSpec restoreSpec() {
        return restoreBackupId == null ? null : new io.stratus.protocol.RestoreSpec(restoreSourceDatabaseId,
                restoreBackupId, restoreTargetTime, restoreSourceName, restoreSourceOwnerRole);
    }

    boolean isRestore() {
        return restoreBackupId != null;
    }

    /** Grants a new CU; the agent applies it (cgroup limits and reloadable settings) as a new spec version. */
    long scaleTo(BigDecimal cu, Instant now) {
        currentCu = cu;
        cuChangedAt = now;
        return ++specVersion;
    }

    /** Stops the compute, keeping its data (scale to zero). */
    long suspend() {
        running = false;
        return ++specVersion;
    }

    /** Runs again, from its minCu: the autoscaler grows it from there at once if its load needs more. */
    long resume(Instant now) {
        running = true;
        if (currentCu.compareTo(minCu) != 0) {
            currentCu = minCu;
            cuChangedAt = now;
        }
        // Stays SUSPENDED until the agent reports it running again.
        lastActiveAt = now;
        return ++specVersion;
    }

    /** A new CU range and idle timeout; the current CU moves into the new range. */
    long changeRange(BigDecimal min, BigDecimal max, int suspendTimeout, Instant now) {
        minCu = min;
        maxCu = max;
        suspendTimeoutSeconds = suspendTimeout;
        BigDecimal clamped = currentCu.max(min).min(max);
        if (clamped.compareTo(currentCu) != 0) {
            currentCu = clamped;
            cuChangedAt = now;
        }
        return ++specVersion;
    }

    /**
     * Turns the tenant's pg_stat_statements on or off: a new spec version, which the compute takes at its next start
     * (a running one is not restarted for it).
     */
    long pgStatStatements(boolean on) {
        if (pgStatStatements == on) {
            return specVersion;
        }
        pgStatStatements = on;
        return ++specVersion;
    }

    void active(Instant at) {
        if (lastActiveAt == null || at.isAfter(lastActiveAt)) {
            lastActiveAt = at;
        }
    }

    void observedEnforcement(BigDecimal appliedCu, String enforcement) {
        this.appliedCu = appliedCu;
        if (enforcement != null) {
            this.enforcement = enforcement;
        }
    }

    void observedStopped(long observedSpecVersion) {
        this.observedSpecVersion = Math.max(this.observedSpecVersion, observedSpecVersion);
        if (!running && state != DatabaseState.DELETING && state != DatabaseState.DELETED) {
            state = DatabaseState.SUSPENDED;
        }
    }

    /** On a node, at its minCu: what placement found room for (a minCu lowered while it waited included). */
    void place(UUID nodeId) {
        this.nodeId = nodeId;
        this.currentCu = minCu;
    }

    /** A new owner password verifier; the agent applies it as a new spec version. */
    long rotateVerifier(String verifier) {
        this.ownerVerifier = verifier;
        return ++specVersion;
    }

    /** Its roles changed: the agent applies them as a new spec version. */
    long rolesChanged() {
        return ++specVersion;
    }

    /**
     * A rolling update's target: the release (a full version) and the operator's settings the compute should run,
     * applied by its agent as a planned restart (a suspended one takes them at its next start).
     */
    long retarget(String newRelease, Map<String, String> newSettings) {
        release = newRelease;
        settings = Map.copyOf(newSettings);
        return ++specVersion;
    }

    /** The full version the agent reports the compute on (running or stopped). */
    void observedRelease(String version) {
        if (version != null) {
            runningRelease = version;
        }
    }

    void observedRunning(long observedSpecVersion) {
        this.observedSpecVersion = Math.max(this.observedSpecVersion, observedSpecVersion);
        if (running && (state == DatabaseState.PROVISIONING || state == DatabaseState.FAILED || state == DatabaseState.SUSPENDED)) {
            state = DatabaseState.RUNNING;
        }
        message = null;
    }

    /**
     * What the agent measured for its storage limit (null: not measured, the last reading stays) and whether it holds
     * the compute read-only for it (null: an agent older than storage limits, taken as not).
     *
     * @return what changed
     */
    StorageChange observedStorage(Long stored, Boolean limited) {
        // pg_database_size moves by 8 kB on almost any write: the siblings' limits follow it by the MiB, so that a
        // writing tenant does not move every other compute's spec (and its node's desired state) at every report.
        boolean storedChanged = stored != null && (storedBytes == null || stored >> 20 != storedBytes >> 20);
        if (stored != null) {
            storedBytes = stored;
        }
        boolean nowLimited = Boolean.TRUE.equals(limited);
        boolean limitedChanged = nowLimited != storageLimited;
        storageLimited = nowLimited;
        return new StorageChange(storedChanged, limitedChanged);
    }

    /** What one report changed of a database's storage: its size, and whether it is held read-only for it. */
    record StorageChange(boolean stored, boolean limited) {
    }

    void observedProblem(String message) {
        this.message = message;
    }

    void markDeleting(long generation) {
        state = DatabaseState.DELETING;
        deleteGeneration = generation;
    }

    void markDeleted(Instant now) {
        state = DatabaseState.DELETED;
        deletedAt = now;
    }

    void markFailed(String reason) {
        state = DatabaseState.FAILED;
        message = reason;
    }

    /** The CU the database holds: its current CU while it runs, none before it has a node, while suspended or once deleted. */
    BigDecimal grantedCu() {
        return running && nodeId != null && state != DatabaseState.DELETED ? currentCu.stripTrailingZeros() : BigDecimal.ZERO;
    }

    boolean isLive() {
        return state != DatabaseState.DELETING && state != DatabaseState.DELETED;
    }

    UUID tenantId() { return tenantId; }
    String name() { return name; }
    String endpoint() { return endpoint; }
    DatabaseState state() { return state; }
    BigDecimal minCu() { return minCu; }
    BigDecimal maxCu() { return maxCu; }
    BigDecimal currentCu() { return currentCu; }
    String release() { return release; }
    String ownerRole() { return ownerRole; }
    String ownerVerifier() { return ownerVerifier; }
    boolean running() { return running; }
    long specVersion() { return specVersion; }
    long observedSpecVersion() { return observedSpecVersion; }
    UUID nodeId() { return nodeId; }
    Long deleteGeneration() { return deleteGeneration; }
    String message() { return message; }
    Instant createdAt() { return createdAt; }
    int suspendTimeoutSeconds() { return suspendTimeoutSeconds; }
    boolean pgStatStatements() { return pgStatStatements; }
    String enforcement() { return enforcement; }
    BigDecimal appliedCu() { return appliedCu; }
    Instant lastActiveAt() { return lastActiveAt; }
    Instant cuChangedAt() { return cuChangedAt; }
    Long storedBytes() { return storedBytes; }
    boolean storageLimited() { return storageLimited; }
    String runningRelease() { return runningRelease; }
    Map<String, String> settings() { return settings == null ? Map.of() : settings; }
}
