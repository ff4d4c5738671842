package io.stratus.controlplane.databases;

import io.stratus.controlplane.databases.DatabaseRequests.ValidCreate;
import io.stratus.controlplane.databases.DatabaseViews.Connection;
import io.stratus.controlplane.databases.DatabaseViews.Created;
import io.stratus.controlplane.databases.DatabaseViews.DatabaseView;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.operations.Operations.OperationView;
import io.stratus.controlplane.tenants.TenantDeleted;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates, reads and deletes tenants' databases. Every change writes the new desired state and an operation in one
 * transaction and wakes the node's agent after commit; the operation succeeds later, when the agent reports the
 * result observed. The entry point of the databases feature.
 */
@Service
public class DatabaseProvisioning {

    private static final Logger log = LoggerFactory.getLogger(DatabaseProvisioning.class);
    private static final Set<DatabaseState> VISIBLE = EnumSet.complementOf(EnumSet.of(DatabaseState.DELETED));

    private final DatabaseRepository databases;
    private final IdempotencyRepository idempotency;
    private final IdempotencyLocks idempotencyLocks;
    private final Operations operations;
    private final Fleet fleet;
    private final TenantDirectory tenants;
    private final CapacityControl capacity;
    private final ApplicationEventPublisher events;
    private final FrontDoorAddress frontDoor;
    private final IdempotencySettings idempotencySettings;
    private final ObjectProvider<BackupSummaries> backupSummaries;
    private final DatabaseRequests requests;
    private final Clock clock;

    DatabaseProvisioning(DatabaseRepository databases, IdempotencyRepository idempotency,
                         IdempotencyLocks idempotencyLocks, Operations operations, Fleet fleet, TenantDirectory tenants,
                         CapacityControl capacity, ApplicationEventPublisher events, FrontDoorAddress frontDoor,
                         IdempotencySettings idempotencySettings, ObjectProvider<BackupSummaries> backupSummaries,
                         DatabaseRequests requests, Clock clock) {
        this.requests = requests;
        this.backupSummaries = backupSummaries;
        this.frontDoor = frontDoor;
        this.idempotencySettings = idempotencySettings;
        this.idempotencyLocks = idempotencyLocks;
        this.capacity = capacity;
        this.events = events;
        this.databases = databases;
        this.idempotency = idempotency;
        this.operations = operations;
        this.fleet = fleet;
        this.tenants = tenants;
        this.clock = clock;
    }

    /**
     * Creates a database, or replays an earlier creation with the same {@code Idempotency-Key}: the same database and
     * operation, with a freshly issued password (the first one was never stored, and the client that retries most
     * likely never saw it).
     */
    /** A create's response and, for a replay, the spec version that carries its new password. */
    public record CreateResult(Created body, boolean replayed, long specVersion) {
    }

    @Transactional
    public CreateResult create(UUID tenantId, ValidCreate request, String idempotencyKey) {
        return create(tenantId, request, RequestFingerprint.of(request), idempotencyKey, null);
    }

    /**
     * What a restore restores: the backup {@code backupId} of {@code sourceDatabaseId}, replayed to {@code targetTime}
     * (null: to the backup's end).
     */
    public record RestoreSource(UUID sourceDatabaseId, UUID backupId, Instant targetTime) {
    }

    /**
     * Creates a new database from a backup of one of the tenant's databases (live or deleted): the source's release,
     * CU range and settings, a fresh owner password (returned here only), normal placement and the quotas a create
     * checks. Its operation is a {@code RESTORE_DATABASE}, which succeeds when its compute runs. With an
     * {@code Idempotency-Key}, a replay of the same request answers the same database with a new password, as a
     * create's does.
     *
     * @param asked the request as the client gave it: what the Idempotency-Key remembers
     * @throws ApiException 404 for another tenant's (or no) source, 400 (field {@code newDatabaseName}) for a bad name
     */
    @Transactional
    public CreateResult restore(UUID tenantId, RestoreAsked asked, RestoreSource from, String idempotencyKey) {
        String newDatabaseName = asked.newDatabaseName();
        Database source = find(tenantId, from.sourceDatabaseId());
        ValidCreate request;
        try {
            request = requests.validate(new DatabaseRequests.CreateDatabaseRequest(newDatabaseName, source.minCu(),
                    source.maxCu(), source.release(), source.suspendTimeoutSeconds(), source.pgStatStatements()));
        } catch (ApiException e) {
            throw ApiException.invalid(e.errors().stream().map(error -> error.field().equals("name")
                    ? new ApiException.FieldError("newDatabaseName", error.reason()) : error).toList());
        }
        return create(tenantId, request, RequestFingerprint.of(asked), idempotencyKey, new Restore(source, from));
    }

    private record Restore(Database source, RestoreSource from) {
    }

    /** A restore as the client asked for it (a backup, or a point in time): what an Idempotency-Key remembers. */
    public record RestoreAsked(UUID sourceDatabaseId, UUID backupId, Instant pointInTime, String newDatabaseName) {
    }

    private CreateResult create(UUID tenantId, ValidCreate request, String requestHash, String idempotencyKey,
                                Restore restore) {
        if (idempotencyKey != null && !idempotencyLocks.tryLock(tenantId, idempotencyKey)) {
            throw keyInUse("a request with this Idempotency-Key is being processed; retry after it (its response "
                    + "holds the password)", 1);
        }
        Optional<IdempotencyRecord> earlier = earlier(tenantId, idempotencyKey);
        if (earlier.isPresent()) {
            return replay(tenantId, earlier.get(), requestHash);
        }
        // The tenant's row first: creates of one tenant take turns, so two cannot both fit in the last of a quota.
        tenants.lockForUpdate(tenantId);
        var tenant = tenants.find(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        if (databases.liveNameExists(tenantId, request.name())) {
            // A concurrent first use of the same key may have committed since the lookup above.
            earlier = earlier(tenantId, idempotencyKey);
            if (earlier.isPresent()) {
                return replay(tenantId, earlier.get(), requestHash);
            }
            throw ApiException.conflict("database-exists", "a database named '" + request.name() + "' exists",
                    restore == null ? "name" : "newDatabaseName");
        }
        if (databases.countLive(tenantId) >= tenant.maxDatabases()) {
            throw ApiException.conflict("quota-exceeded", "the tenant's quota of " + tenant.maxDatabases()
                    + " databases is used up; delete one or ask the operator for more", null);
        }
        checkCuQuota(tenant, request.maxCu(), null);
        checkStorageQuota(tenant);
        String password = Passwords.generate();
        Database db = new Database(tenantId, request.name(), request.minCu(), request.maxCu(), request.release(),
                DatabaseRequests.ownerRoleFor(request.name()), Passwords.scramVerifier(password),
                request.suspendTimeoutSeconds(), request.pgStatStatements(), clock.instant());
        if (restore != null) {
            db.restoreFrom(restore.source(), restore.from().backupId(), restore.from().targetTime());
        }
        Optional<Fleet.Placement> placement = place(db);
        databases.save(db);
        OperationView op = operations.open(tenantId, db.getId(), restore == null ? OperationType.CREATE_DATABASE
                : OperationType.RESTORE_DATABASE, placement.isPresent(), db.specVersion());
        events.publishEvent(new DatabaseCreated(tenantId, db.getId()));
        placement.ifPresent(p -> fleet.desiredStateChanged(p.nodeId()));
        if (idempotencyKey != null) {
            idempotency.saveAndFlush(new IdempotencyRecord(tenantId, idempotencyKey, requestHash, db.getId(), op.id(),
                    clock.instant()));
        }
        databases.flush();
        log.info("database {} ({}) accepted for tenant {}, placed on {}", db.name(), db.getId(), tenantId,
                placement.map(p -> p.nodeId().toString()).orElse("(no node ready yet)"));
        return new CreateResult(new Created(view(db), op, connection(db, password)), false, db.specVersion());
    }

    /**
     * Refuses a maxCu that would take the tenant's live databases (other than {@code except}) past its CU quota: the
     * quota bounds what they may all scale to at once, so it is their maxCu that counts, not what they use now.
     */
    private void checkCuQuota(TenantDirectory.TenantView tenant, BigDecimal maxCu, UUID except) {
        if (tenant.maxTotalCu() == null) {
            return;
        }
        BigDecimal others = databases.sumLiveMaxCu(tenant.id(), except == null ? DatabaseRepository.NO_DATABASE : except);
        if (others.add(maxCu).compareTo(tenant.maxTotalCu()) > 0) {
            throw ApiException.conflict("quota-exceeded", "the tenant's quota of " + tenant.maxTotalCu().toPlainString()
                    + " CU (the sum of its databases' maxCu) would be exceeded: the others add up to "
                    + others.stripTrailingZeros().toPlainString() + "; ask the operator for more", "maxCu");
        }
    }

    /**
     * Refuses a new database while the tenant stores its storage quota or more (its agents' last readings): the new one
     * would be read-only from its first write. Under the quota it may be created; the limits then share what is left.
     */
    private void checkStorageQuota(TenantDirectory.TenantView tenant) {
        if (tenant.maxStorageBytes() == null) {
            return;
        }
        long stored = databases.sumLiveStoredBytes(List.of(tenant.id())).stream()
                .mapToLong(row -> ((Number) row[1]).longValue()).sum();
        if (!StorageLimits.roomForAnother(tenant.maxStorageBytes(), stored)) {
            throw ApiException.conflict("quota-exceeded", "the tenant's storage quota of " + tenant.maxStorageBytes()
                    + " bytes is used up: its databases store " + stored + " bytes; delete a database or ask the"
                    + " operator for more", null);
        }
    }

    private Optional<IdempotencyRecord> earlier(UUID tenantId, String idempotencyKey) {
        return idempotencyKey == null ? Optional.empty()
                : idempotency.findById(new IdempotencyRecord.Key(tenantId, idempotencyKey));
    }

    private CreateResult replay(UUID tenantId, IdempotencyRecord earlier, String requestHash) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency key reused",
                    "this Idempotency-Key was used with a different request body", java.util.List.of());
        }
        Database db = databases.lockByIdAndTenantId(earlier.databaseId(), tenantId)
                .orElseThrow(() -> ApiException.notFound("database"));
        OperationView op = operations.get(earlier.operationId());
        if (!db.isLive()) {
            return new CreateResult(new Created(view(db), op, connection(db, null)), true, db.specVersion());
        }
        Instant now = clock.instant();
        Duration since = Duration.between(earlier.lastIssuedAt(), now);
        if (since.compareTo(idempotencySettings.reissueAfter()) < 0) {
            // The password handed out a moment ago is most likely in the hands of a duplicate of this request: a new
            // one would silently break it. A client whose response was lost gets a new one after the wait.
            Duration wait = idempotencySettings.reissueAfter().minus(since);
            throw keyInUse("a request with this Idempotency-Key was answered " + since.toMillis() + " ms ago and "
                    + "its password is the working one; a replay issues a new password (breaking that one) only "
                    + idempotencySettings.reissueAfter().toSeconds() + " s after it", (wait.toMillis() + 999) / 1000);
        }
        earlier.reissued(now);
        String password = Passwords.generate();
        long version = db.rotateVerifier(Passwords.scramVerifier(password));
        if (db.nodeId() != null) {
            fleet.desiredStateChanged(db.nodeId());
        }
        return new CreateResult(new Created(view(db), op, connection(db, password)), true, version);
    }

    private static ApiException keyInUse(String detail, long retryAfterSeconds) {
        return ApiException.conflict("idempotency-key-in-use", detail, "Idempotency-Key").retryAfter(retryAfterSeconds);
    }

    /** Places unplaced databases once a node can take them (a fresh fleet, or every node was full). */
    @Transactional
    public int placePending() {
        int placed = 0;
        // Locked in id order (as every multi-row lock here), placed in the order they were asked for, oldest first of
        // those that fit (not by id, which is random).
        List<Database> waiting = new ArrayList<>(databases.lockByNodeIdIsNullAndState(DatabaseState.PROVISIONING));
        waiting.sort(Comparator.comparing(Database::createdAt));
        for (Database db : waiting) {
            Optional<Fleet.Placement> p = place(db);
            if (p.isPresent()) {
                operations.started(db.getId());
                fleet.desiredStateChanged(p.get().nodeId());
                placed++;
            }
        }
        return placed;
    }

    private Optional<Fleet.Placement> place(Database db) {
        Optional<Fleet.Placement> p = fleet.place(db.minCu(), db.release(), databases::heldCu);
        p.ifPresent(placement -> db.place(placement.nodeId()));
        return p;
    }

    @Transactional(readOnly = true)
    public DatabaseView get(UUID tenantId, UUID id) {
        return view(find(tenantId, id));
    }

    @Transactional(readOnly = true)
    public DatabaseViews.Page list(UUID tenantId, int page, int size, boolean includeDeleted) {
        var result = databases.findByTenantIdAndStateIn(tenantId,
                includeDeleted ? EnumSet.allOf(DatabaseState.class) : VISIBLE,
                PageRequest.of(page, size, Sort.by("createdAt", "id")));
        Map<UUID, BackupSummaries.BackupSummary> backups = backupSummaries(result.getContent());
        return new DatabaseViews.Page(result.map(db -> view(db, backups)).getContent(), page, size,
                result.getTotalElements());
    }

    /** A database with the tenant it belongs to, as the operator sees every tenant's. */
    public record TenantDatabase(UUID tenantId, DatabaseView database) {
    }

    /** A page of {@link TenantDatabase}s. */
    public record TenantDatabasePage(List<TenantDatabase> items, int page, int size, long total) {
    }

    /**
     * Which databases the operator lists; a null field matches any. Deleted databases only when {@code state} asks
     * for them; {@code name}: contained in the name, ignoring case.
     */
    public record Filter(UUID tenantId, UUID nodeId, DatabaseState state, String name) {

        public static Filter of(UUID tenantId, UUID nodeId, DatabaseState state, String name) {
            return new Filter(tenantId, nodeId, state, name);
        }

        public static Filter tenant(UUID tenantId) {
            return new Filter(tenantId, null, null, null);
        }

        public static Filter state(DatabaseState state) {
            return new Filter(null, null, state, null);
        }
    }

    /** Every tenant's databases for the operator, newest first, as {@code filter} narrows them. */
    @Transactional(readOnly = true)
    public TenantDatabasePage listAll(Filter filter, int page, int size) {
        UUID tenantId = filter.tenantId();
        DatabaseState state = filter.state();
        String name = filter.name();
        org.springframework.data.jpa.domain.Specification<Database> spec = (root, query, cb) -> {
            List<jakarta.persistence.criteria.Predicate> where = new java.util.ArrayList<>();
            if (tenantId != null) {
                where.add(cb.equal(root.get("tenantId"), tenantId));
            }
            if (filter.nodeId() != null) {
                where.add(cb.equal(root.get("nodeId"), filter.nodeId()));
            }
            where.add(state != null ? cb.equal(root.get("state"), state) : root.get("state").in(VISIBLE));
            if (name != null && !name.isBlank()) {
                String escaped = name.strip().toLowerCase(java.util.Locale.ROOT)
                        .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
                where.add(cb.like(root.get("name"), "%" + escaped + "%", '\\'));
            }
            return cb.and(where.toArray(jakarta.persistence.criteria.Predicate[]::new));
        };
        var result = databases.findAll(spec, PageRequest.of(page, size,
                Sort.by(Sort.Order.desc("createdAt"), Sort.Order.desc("id"))));
        Map<UUID, BackupSummaries.BackupSummary> backups = backupSummaries(result.getContent());
        return new TenantDatabasePage(result.map(db -> new TenantDatabase(db.tenantId(), view(db, backups))).getContent(),
                page, size, result.getTotalElements());
    }

    /** Any tenant's database, for the operator; 404 when there is none. */
    @Transactional(readOnly = true)
    public TenantDatabase getAny(UUID id) {
        Database db = databases.findById(id).orElseThrow(() -> ApiException.notFound("database"));
        return new TenantDatabase(db.tenantId(), view(db));
    }

    /** The names of these databases (deleted ones too), for lists that name what they refer to. */
    @Transactional(readOnly = true)
    public Map<UUID, String> names(java.util.Collection<UUID> ids) {
        Map<UUID, String> names = new java.util.HashMap<>();
        databases.findAllById(ids).forEach(db -> names.put(db.getId(), db.name()));
        return names;
    }

    /** How many live databases (computes, running or suspended) each node has. */
    @Transactional(readOnly = true)
    public Map<UUID, Long> liveDatabasesPerNode() {
        Map<UUID, Long> counts = new java.util.HashMap<>();
        for (Object[] row : databases.countLiveByNode()) {
            counts.put((UUID) row[0], ((Number) row[1]).longValue());
        }
        return counts;
    }

    /** Deletes the database's compute and data. Repeating it returns the same operation. */
    @Transactional
    public OperationView delete(UUID tenantId, UUID id) {
        Database db = findForUpdate(tenantId, id);
        if (!db.isLive()) {
            return operations.latest(db.getId(), OperationType.DELETE_DATABASE)
                    .orElseThrow(() -> ApiException.notFound("database"));
        }
        operations.failOpen(db.getId(), EnumSet.of(OperationType.CREATE_DATABASE, OperationType.RESTORE_DATABASE,
                OperationType.RESET_PASSWORD, OperationType.CREATE_ROLE, OperationType.DELETE_ROLE),
                "superseded by a delete");
        events.publishEvent(new StorageShares.DatabaseLeft(tenantId, db.getId()));
        events.publishEvent(new DatabaseDeleted(tenantId, db.getId()));
        if (db.nodeId() == null) {
            db.markDeleted(clock.instant());
            OperationView op = operations.open(tenantId, db.getId(), OperationType.DELETE_DATABASE, true, db.specVersion());
            operations.observed(db.getId(), EnumSet.of(OperationType.DELETE_DATABASE), Long.MAX_VALUE);
            return operations.get(op.id());
        }
        long generation = fleet.desiredStateChanged(db.nodeId());
        db.markDeleting(generation);
        return operations.open(tenantId, db.getId(), OperationType.DELETE_DATABASE, true, db.specVersion());
    }

    /** A deleted tenant's databases are deleted with it, in its transaction (each a DELETE_DATABASE operation). */
    @EventListener
    void onTenantDeleted(TenantDeleted event) {
        for (Database db : databases.findByTenantIdAndStateIn(event.tenantId(), VISIBLE,
                PageRequest.of(0, Integer.MAX_VALUE, Sort.by("id"))).getContent()) {
            delete(event.tenantId(), db.getId());
        }
    }

    /** Issues a new owner password; the old one stops working once the agent applies the new verifier. */
    @Transactional
    public PasswordIssued resetPassword(UUID tenantId, UUID id) {
        Database db = findForUpdate(tenantId, id);
        if (!db.isLive()) {
            throw deletedConflict(db);
        }
        String password = Passwords.generate();
        long version = db.rotateVerifier(Passwords.scramVerifier(password));
        OperationView op = operations.open(tenantId, db.getId(), OperationType.RESET_PASSWORD, db.nodeId() != null, version);
        if (db.nodeId() != null) {
            fleet.desiredStateChanged(db.nodeId());
        }
        return new PasswordIssued(password, connection(db, password), op, version);
    }

    /** Changes the CU range and idle timeout; the current CU moves into the new range at once. */
    @Transactional
    public DatabaseView update(UUID tenantId, UUID id, DatabaseRequests.UpdateDatabaseRequest r, DatabaseRequests rules) {
        Database db = findForUpdate(tenantId, id);
        if (!db.isLive()) {
            throw deletedConflict(db);
        }
        rules.validateUpdate(r, db.minCu(), db.maxCu());
        if (r.maxCu() != null && r.maxCu().compareTo(db.maxCu()) > 0) {
            tenants.lockForUpdate(tenantId);
            checkCuQuota(tenants.find(tenantId).orElseThrow(() -> ApiException.notFound("tenant")), r.maxCu(), db.getId());
        }
        BigDecimal before = db.grantedCu();
        BigDecimal minBefore = db.minCu();
        BigDecimal maxBefore = db.maxCu();
        BigDecimal heldBefore = held(db);
        if (db.nodeId() != null) {
            // Bumps (and so locks) the node row first: two range changes on one node cannot both take its last CU.
            fleet.desiredStateChanged(db.nodeId());
        }
        db.changeRange(r.minCu() == null ? db.minCu() : r.minCu().stripTrailingZeros(),
                r.maxCu() == null ? db.maxCu() : r.maxCu().stripTrailingZeros(),
                r.suspendTimeoutSeconds() == null ? db.suspendTimeoutSeconds() : r.suspendTimeoutSeconds(), clock.instant());
        if (r.pgStatStatements() != null) {
            db.pgStatStatements(r.pgStatStatements());
        }
        if (db.nodeId() != null && held(db).compareTo(heldBefore) > 0) {
            BigDecimal free = fleet.capacityCu(db.nodeId()).subtract(databases.heldCu(db.nodeId(), db.getId()));
            if (held(db).compareTo(free) > 0) {
                // Thrown before commit: the whole change rolls back, nothing is changed.
                throw ApiException.conflict("node-capacity", "minCu " + db.minCu().toPlainString() + " cannot be guaranteed:"
                        + " the database's node has " + free.max(BigDecimal.ZERO).stripTrailingZeros().toPlainString()
                        + " CU free for it", "minCu");
            }
        }
        if (db.minCu().compareTo(minBefore) != 0 || db.maxCu().compareTo(maxBefore) != 0) {
            // A suspended database is granted nothing (0 before and after); its new CU applies when it resumes.
            events.publishEvent(new DatabaseCapacityChanged(db.getId(), tenantId, before, db.grantedCu(),
                    "range changed to [" + db.minCu().stripTrailingZeros().toPlainString() + ", "
                            + db.maxCu().stripTrailingZeros().toPlainString() + "] CU by the API"
                            + (db.running() ? "" : " (suspended: applies on resume)")));
        }
        return view(db);
    }

    /** What the database holds on its node: see {@link DatabaseRepository#heldCu}. */
    private static BigDecimal held(Database db) {
        return db.running() ? db.currentCu().max(db.minCu()) : db.minCu();
    }

    /** Stops the compute and keeps its data; a connection (later: the proxy) or {@link #resume} wakes it. */
    @Transactional
    public OperationView suspend(UUID tenantId, UUID id) {
        Database db = findForUpdate(tenantId, id);
        BigDecimal before = db.currentCu();
        boolean wasRunning = db.running();
        OperationView op = capacity.suspend(db.getId());
        if (wasRunning) {
            events.publishEvent(new DatabaseCapacityChanged(id, tenantId, before, BigDecimal.ZERO, "suspended by the API"));
        }
        return op;
    }

    @Transactional
    public OperationView resume(UUID tenantId, UUID id) {
        Database db = findForUpdate(tenantId, id);
        boolean wasSuspended = !db.running();
        OperationView op = capacity.resume(db.getId());
        if (wasSuspended) {
            events.publishEvent(new DatabaseCapacityChanged(id, tenantId, BigDecimal.ZERO, db.currentCu(), "resumed by the API"));
        }
        return op;
    }

    /** Whether the agent has applied the database's spec up to {@code specVersion}. */
    @Transactional(readOnly = true)
    public boolean applied(UUID tenantId, UUID id, long specVersion) {
        return find(tenantId, id).observedSpecVersion() >= specVersion;
    }

    /** A password just issued, its connection and the operation that applies it. */
    public record PasswordIssued(String password, Connection connection, OperationView operation, long specVersion) {
    }

    private Database find(UUID tenantId, UUID id) {
        return databases.findByIdAndTenantId(id, tenantId).orElseThrow(() -> ApiException.notFound("database"));
    }

    private static ApiException deletedConflict(Database db) {
        return ApiException.conflict("database-deleted", db.state() == DatabaseState.DELETED
                ? "the database is deleted" : "the database is being deleted", null);
    }

    /** The row locked for the change the caller makes (see {@link DatabaseRepository} on why). */
    private Database findForUpdate(UUID tenantId, UUID id) {
        return databases.lockByIdAndTenantId(id, tenantId).orElseThrow(() -> ApiException.notFound("database"));
    }

    DatabaseView view(Database db) {
        return view(db, backupSummaries(List.of(db)));
    }

    private Map<UUID, BackupSummaries.BackupSummary> backupSummaries(List<Database> dbs) {
        BackupSummaries source = backupSummaries.getIfAvailable();
        return source == null || dbs.isEmpty() ? Map.of() : source.summaries(dbs.stream().map(Database::getId).toList());
    }

    private DatabaseView view(Database db, Map<UUID, BackupSummaries.BackupSummary> backups) {
        BackupSummaries.BackupSummary backup = backups.getOrDefault(db.getId(), BackupSummaries.BackupSummary.NONE);
        Fleet.HostStatus host = db.nodeId() == null ? null : fleet.hostStatus(db.nodeId()).orElse(null);
        String message = db.message() != null || db.nodeId() != null || db.state() != DatabaseState.PROVISIONING
                ? db.message()
                : "waiting for a node with " + db.minCu().stripTrailingZeros().toPlainString() + " CU free that runs"
                + " Postgres " + db.release();
        if (db.storageLimited() && db.isLive()) {
            message = "read-only: it stores " + db.storedBytes() + " bytes, at or over its share of the tenant's storage"
                    + " quota; writes fail with SQLSTATE 25006 until the quota is raised or another database is deleted"
                    + (message == null ? "" : "; " + message);
        }
        if (host != null && !host.reporting() && db.state() != DatabaseState.DELETED) {
            // The agent is silent, not necessarily the compute (it runs on without its agent): say what is known.
            message = "the agent on its host has not reported since " + host.lastHeartbeatAt() + ": the state shown is"
                    + " the last one observed" + (message == null ? "" : "; " + message);
        }
        return new DatabaseView(db.getId(), db.name(), db.state(), db.minCu().stripTrailingZeros(),
                db.maxCu().stripTrailingZeros(), db.grantedCu(),
                // Unknown until the agent has reported the compute: null, not "none", which would be a claim.
                db.appliedCu() == null ? null : db.enforcement(), db.suspendTimeoutSeconds(), db.pgStatStatements(),
                db.release(), db.nodeId(),
                connection(db, null), message, host == null ? null : host.lastHeartbeatAt(), db.createdAt(),
                db.storedBytes(), db.storageLimited(), backup.status(),
                backup.lastGoodBackupId() == null ? null
                        : new DatabaseViews.LastGoodBackup(backup.lastGoodBackupId(), backup.lastGoodBackupAt()),
                db.restoreSpec() == null ? null : new DatabaseViews.RestoredFrom(db.restoreSpec().sourceComputeId(),
                        db.restoreSpec().backupId(), db.restoreSpec().targetTime()),
                db.runningRelease(), db.settings());
    }

    private Connection connection(Database db, String password) {
        return Connection.of(frontDoor, db.endpoint(), db.name(), db.ownerRole(), password);
    }
}
