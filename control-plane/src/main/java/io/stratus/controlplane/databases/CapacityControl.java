package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.operations.Operations.OperationView;
import io.stratus.controlplane.web.ApiException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Changes a database's capacity: CU grants (autoscaler), suspend and resume (idle timeout or API). The autoscaling
 * feature decides; this service writes the new desired state and wakes the node's agent.
 */
@Service
public class CapacityControl {

    static final EnumSet<DatabaseState> RUNNABLE = EnumSet.of(DatabaseState.RUNNING, DatabaseState.SUSPENDED,
            DatabaseState.PROVISIONING);

    private final DatabaseRepository databases;
    private final Fleet fleet;
    private final Operations operations;
    private final Clock clock;

    CapacityControl(DatabaseRepository databases, Fleet fleet, Operations operations, Clock clock) {
        this.databases = databases;
        this.fleet = fleet;
        this.operations = operations;
        this.clock = clock;
    }

    /** What the autoscaler needs to know about a database. */
    public record Capacity(UUID id, UUID tenantId, UUID nodeId, DatabaseState state, boolean running, BigDecimal currentCu,
                           BigDecimal minCu, BigDecimal maxCu, int suspendTimeoutSeconds, Instant lastActiveAt,
                           Instant cuChangedAt) {
    }

    /**
     * The database, if it is live and placed on {@code nodeId} (a node reports only on its own computes), locked for
     * the rest of the caller's transaction: what the caller decides from it is written back before anyone else's.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Capacity> onNode(UUID databaseId, UUID nodeId) {
        return databases.lockById(databaseId).filter(d -> nodeId.equals(d.nodeId()) && d.isLive()).map(CapacityControl::capacity);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void markActive(UUID databaseId, Instant at) {
        databases.lockById(databaseId).ifPresent(d -> d.active(at));
    }

    /** CU the node's other databases hold (running: their current CU; suspended: their minCu, kept for waking). */
    @Transactional(propagation = Propagation.MANDATORY)
    public BigDecimal heldOnNodeExcept(UUID nodeId, UUID databaseId) {
        return databases.heldCu(nodeId, databaseId);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void grant(UUID databaseId, BigDecimal cu) {
        Database d = databases.lockById(databaseId).orElseThrow();
        d.scaleTo(cu, clock.instant());
        fleet.desiredStateChanged(d.nodeId());
    }

    /** Suspends (idle timeout or API); returns the operation that completes when the compute is observed stopped. */
    @Transactional(propagation = Propagation.MANDATORY)
    public OperationView suspend(UUID databaseId) {
        Database d = databases.lockById(databaseId).orElseThrow();
        if (!RUNNABLE.contains(d.state())) {
            throw ApiException.conflict("not-runnable", "a " + d.state() + " database cannot be suspended", null);
        }
        if (!d.running()) {
            return operations.latest(d.getId(), OperationType.SUSPEND_DATABASE).orElseThrow();
        }
        long version = d.suspend();
        operations.failOpen(d.getId(), EnumSet.of(OperationType.RESUME_DATABASE), "superseded by a suspend");
        OperationView op = operations.open(d.tenantId(), d.getId(), OperationType.SUSPEND_DATABASE, d.nodeId() != null, version);
        if (d.nodeId() != null) {
            fleet.desiredStateChanged(d.nodeId());
        }
        return op;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public OperationView resume(UUID databaseId) {
        Database d = databases.lockById(databaseId).orElseThrow();
        if (!RUNNABLE.contains(d.state())) {
            throw ApiException.conflict("not-runnable", "a " + d.state() + " database cannot be resumed", null);
        }
        if (d.running()) {
            return operations.latest(d.getId(), OperationType.RESUME_DATABASE)
                    .or(() -> operations.latest(d.getId(), OperationType.CREATE_DATABASE)).orElseThrow();
        }
        long version = d.resume(clock.instant());
        operations.failOpen(d.getId(), EnumSet.of(OperationType.SUSPEND_DATABASE), "superseded by a resume");
        OperationView op = operations.open(d.tenantId(), d.getId(), OperationType.RESUME_DATABASE, d.nodeId() != null, version);
        if (d.nodeId() != null) {
            fleet.desiredStateChanged(d.nodeId());
        }
        return op;
    }

    private static Capacity capacity(Database d) {
        return new Capacity(d.getId(), d.tenantId(), d.nodeId(), d.state(), d.running(), d.currentCu(), d.minCu(), d.maxCu(),
                d.suspendTimeoutSeconds(), d.lastActiveAt(), d.cuChangedAt());
    }
}
