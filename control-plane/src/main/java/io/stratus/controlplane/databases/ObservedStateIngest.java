package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.NodeStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Takes an agent's report and moves databases and operations forward by what it observed: a database is RUNNING
 * when its compute runs and accepts the owner's login at the current spec, DELETED when the agent has reconciled the
 * generation that removed it and no longer reports it. Applying the same report twice changes nothing.
 */
@Service
public class ObservedStateIngest {

    private static final Logger log = LoggerFactory.getLogger(ObservedStateIngest.class);
    private static final EnumSet<DatabaseState> ON_NODE = EnumSet.complementOf(EnumSet.of(DatabaseState.DELETED));

    private final DatabaseRepository databases;
    private final Operations operations;
    private final Fleet fleet;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    ObservedStateIngest(DatabaseRepository databases, Operations operations, Fleet fleet, Clock clock,
                        ApplicationEventPublisher events) {
        this.databases = databases;
        this.operations = operations;
        this.fleet = fleet;
        this.clock = clock;
        this.events = events;
    }

    @Transactional
    public void apply(UUID nodeId, NodeStatus status) {
        Map<UUID, ComputeStatus> observed = status.computes() == null ? Map.of()
                : status.computes().stream().collect(Collectors.toMap(ComputeStatus::computeId, Function.identity(), (a, b) -> b));
        // The node's databases first, then its row (see DatabaseRepository on lock order).
        for (Database db : databases.lockByNodeIdAndStateIn(nodeId, ON_NODE)) {
            ComputeStatus cs = observed.get(db.getId());
            if (db.state() == DatabaseState.DELETING) {
                if (cs == null && db.deleteGeneration() != null
                        && status.reconciledOrObservedGeneration() >= db.deleteGeneration()) {
                    db.markDeleted(clock.instant());
                    operations.observed(db.getId(), EnumSet.of(OperationType.DELETE_DATABASE), Long.MAX_VALUE);
                    log.info("database {} ({}) deleted from node {}", db.name(), db.getId(), nodeId);
                }
                continue;
            }
            if (cs == null) {
                continue;
            }
            db.observedEnforcement(cs.appliedCu(), cs.enforcement());
            if (cs.phase() == ComputePhase.RUNNING || cs.phase() == ComputePhase.STOPPED) {
                db.observedRelease(cs.release());
            }
            observedStorage(db, cs);
            if (cs.phase() == ComputePhase.RUNNING && cs.acceptingLogins() && db.running()) {
                boolean wasProvisioning = db.state() == DatabaseState.PROVISIONING;
                db.observedRunning(cs.specVersion());
                operations.observed(db.getId(), EnumSet.of(OperationType.CREATE_DATABASE, OperationType.RESTORE_DATABASE,
                        OperationType.RESET_PASSWORD, OperationType.RESUME_DATABASE, OperationType.CREATE_ROLE,
                        OperationType.DELETE_ROLE), cs.specVersion());
                if (wasProvisioning) {
                    log.info("database {} ({}) is running on node {}", db.name(), db.getId(), nodeId);
                }
            } else if (cs.phase() == ComputePhase.STOPPED && !db.running()) {
                db.observedStopped(cs.specVersion());
                // A database suspended while it was being created is created once its compute exists, stopped.
                operations.observed(db.getId(), EnumSet.of(OperationType.SUSPEND_DATABASE, OperationType.CREATE_DATABASE,
                        OperationType.RESTORE_DATABASE), cs.specVersion());
            } else if (cs.phase() == ComputePhase.FAILED) {
                db.observedProblem(cs.message());
                if (db.isRestore() && db.state() == DatabaseState.PROVISIONING) {
                    // A restore that cannot build its data directory (a backup missing from the store, WAL that does
                    // not replay) will not get there by retrying: its operation says so, and the database is FAILED.
                    db.markFailed("restore failed: " + cs.message());
                    operations.failOpen(db.getId(), EnumSet.of(OperationType.RESTORE_DATABASE),
                            "restore-failed: " + cs.message());
                    log.warn("restore of database {} ({}) failed on node {}: {}", db.name(), db.getId(), nodeId,
                            cs.message());
                }
            }
        }
        fleet.heartbeat(nodeId, status.observedGeneration(), status.enforcement());
    }

    /**
     * A new size changes the storage limits of the tenant's other databases ({@link StorageShares}, after commit); a
     * compute made read-only or writable again is a scaling event, in this transaction.
     */
    private void observedStorage(Database db, ComputeStatus cs) {
        Database.StorageChange change = db.observedStorage(cs.storedBytes(), cs.storageLimited());
        if (change.stored()) {
            events.publishEvent(new StorageShares.StoredBytesChanged(db.tenantId(), db.getId()));
        }
        if (change.limited()) {
            BigDecimal cu = db.grantedCu();
            events.publishEvent(new DatabaseCapacityChanged(db.getId(), db.tenantId(), cu, cu, db.storageLimited()
                    ? "read-only: stores " + cs.storedBytes() + " bytes, at or over its share of the tenant's storage"
                    + " quota (writes fail with 25006 until the quota is raised or another database deleted)"
                    : "writable again: under its share of the tenant's storage quota"));
            log.info("database {} ({}) is {}", db.name(), db.getId(), db.storageLimited()
                    ? "read-only: it stores " + cs.storedBytes() + " bytes, at or over its storage limit"
                    : "writable again: under its storage limit");
        }
    }
}
