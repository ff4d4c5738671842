package io.stratus.controlplane.databases;

import io.stratus.controlplane.databases.DatabaseViews.Connection;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.operations.Operations.OperationView;
import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A database's login roles besides its owner: part of its spec, so every change is a new spec version the agent
 * applies (roles, grants, pg_hba.conf), with an operation that succeeds once it has. A role's password is issued once;
 * only its SCRAM verifier is kept.
 */
@Service
class DatabaseRoles {

    /** Roles per database besides the owner. */
    static final int MAX_ROLES = 20;

    private final DatabaseRepository databases;
    private final DatabaseRoleRepository roles;
    private final Operations operations;
    private final Fleet fleet;
    private final FrontDoorAddress frontDoor;
    private final Clock clock;

    DatabaseRoles(DatabaseRepository databases, DatabaseRoleRepository roles, Operations operations, Fleet fleet,
                  FrontDoorAddress frontDoor, Clock clock) {
        this.databases = databases;
        this.roles = roles;
        this.operations = operations;
        this.fleet = fleet;
        this.frontDoor = frontDoor;
        this.clock = clock;
    }

    /** A role as the API shows it: how it connects, never its password (but in the answer that issues it). */
    record RoleView(String name, boolean readOnly, Instant createdAt, Connection connection) {
    }

    /** @param applyNow the database runs on a node, so the agent applies the role now (else at its next start) */
    record RoleIssued(RoleView role, String password, OperationView operation, long specVersion, boolean applyNow) {
    }

    @Transactional
    public RoleIssued create(UUID tenantId, UUID databaseId, String name, boolean readOnly) {
        Database db = liveForUpdate(tenantId, databaseId);
        if (name.equals(db.ownerRole())) {
            throw ApiException.conflict("role-exists", "role " + name + " is the database's owner", null);
        }
        if (roles.findByDatabaseIdAndName(db.getId(), name).isPresent()) {
            throw ApiException.conflict("role-exists", "the database already has a role " + name, null);
        }
        if (roles.countByDatabaseId(db.getId()) >= MAX_ROLES) {
            throw ApiException.conflict("quota-exceeded", "a database has at most " + MAX_ROLES + " roles besides its"
                    + " owner", null);
        }
        String password = Passwords.generate();
        DatabaseRole role = roles.saveAndFlush(new DatabaseRole(db.getId(), name, Passwords.scramVerifier(password),
                readOnly, clock.instant()));
        long version = db.rolesChanged();
        OperationView op = operations.open(tenantId, db.getId(), OperationType.CREATE_ROLE, db.nodeId() != null,
                version);
        if (db.nodeId() != null) {
            fleet.desiredStateChanged(db.nodeId());
        }
        return new RoleIssued(view(db, role, password), password, op, version, db.nodeId() != null && db.running());
    }

    @Transactional(readOnly = true)
    public List<RoleView> list(UUID tenantId, UUID databaseId) {
        Database db = databases.findByIdAndTenantId(databaseId, tenantId)
                .orElseThrow(() -> ApiException.notFound("database"));
        return roles.findByDatabaseIdOrderByName(db.getId()).stream().map(r -> view(db, r, null)).toList();
    }

    /** Removes the role: its sessions end and it can no longer log in once the agent has applied it. */
    @Transactional
    public OperationView delete(UUID tenantId, UUID databaseId, String name) {
        Database db = liveForUpdate(tenantId, databaseId);
        DatabaseRole role = roles.findByDatabaseIdAndName(db.getId(), name)
                .orElseThrow(() -> ApiException.notFound("role"));
        roles.delete(role);
        long version = db.rolesChanged();
        OperationView op = operations.open(tenantId, db.getId(), OperationType.DELETE_ROLE, db.nodeId() != null,
                version);
        if (db.nodeId() != null) {
            fleet.desiredStateChanged(db.nodeId());
        }
        return op;
    }

    private Database liveForUpdate(UUID tenantId, UUID databaseId) {
        Database db = databases.lockByIdAndTenantId(databaseId, tenantId)
                .orElseThrow(() -> ApiException.notFound("database"));
        if (!db.isLive()) {
            throw ApiException.conflict("database-deleted", "the database is deleted or being deleted", null);
        }
        return db;
    }

    private RoleView view(Database db, DatabaseRole role, String password) {
        return new RoleView(role.name(), role.readOnly(), role.createdAt(),
                Connection.of(frontDoor, db.endpoint(), db.name(), role.name(), password));
    }
}
