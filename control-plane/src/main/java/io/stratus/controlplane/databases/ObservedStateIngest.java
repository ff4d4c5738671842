package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.NodeStatus;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    ObservedStateIngest(DatabaseRepository databases, Operations operations, Fleet fleet, Clock clock) {
        this.databases = databases;
        this.operations = operations;
        this.fleet = fleet;
        this.clock = clock;
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
            if (cs.phase() == ComputePhase.RUNNING && cs.acceptingLogins() && db.running()) {
                boolean wasProvisioning = db.state() == DatabaseState.PROVISIONING;
                db.observedRunning(cs.specVersion());
                operations.observed(db.getId(), EnumSet.of(OperationType.CREATE_DATABASE, OperationType.RESET_PASSWORD,
                        OperationType.RESUME_DATABASE, OperationType.CREATE_ROLE, OperationType.DELETE_ROLE),
                        cs.specVersion());
                if (wasProvisioning) {
                    log.info("database {} ({}) is running on node {}", db.name(), db.getId(), nodeId);
                }
            } else if (cs.phase() == ComputePhase.STOPPED && !db.running()) {
                db.observedStopped(cs.specVersion());
                // A database suspended while it was being created is created once its compute exists, stopped.
                operations.observed(db.getId(), EnumSet.of(OperationType.SUSPEND_DATABASE, OperationType.CREATE_DATABASE),
                        cs.specVersion());
            } else if (cs.phase() == ComputePhase.FAILED) {
                db.observedProblem(cs.message());
            }
        }
        fleet.heartbeat(nodeId, status.observedGeneration(), status.enforcement());
    }
}
