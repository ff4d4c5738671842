package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.tenants.TenantQuotasChanged;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the storage limits in the desired state ({@link StorageLimits}) current: each depends on the tenant's quota
 * and on what its other databases store, so a change of either bumps the generation of every node holding one of the
 * tenant's databases whose limit moved. The limits themselves are computed when a node's desired state is built.
 */
@Component
class StorageShares {

    private static final Logger log = LoggerFactory.getLogger(StorageShares.class);

    /** A database's stored size changed: its siblings' limits move. */
    record StoredBytesChanged(UUID tenantId, UUID databaseId) {
    }

    /** A database is being deleted: what it stored no longer counts against its siblings. */
    record DatabaseLeft(UUID tenantId, UUID databaseId) {
    }

    private final DatabaseRepository databases;
    private final TenantDirectory tenants;
    private final Fleet fleet;
    private final TransactionTemplate ownTransaction;

    StorageShares(DatabaseRepository databases, TenantDirectory tenants, Fleet fleet,
                  PlatformTransactionManager transactions) {
        this.databases = databases;
        this.tenants = tenants;
        this.fleet = fleet;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** The quota itself: in the operator's transaction, so the answer to the PUT means the agents are told. */
    @EventListener
    void onQuotaChanged(TenantQuotasChanged e) {
        bump(databases.nodesOfLiveDatabases(e.tenantId(), DatabaseRepository.NO_DATABASE));
    }

    /**
     * After the status report's commit and in a transaction of its own, so that a report never holds another node's
     * row (two reports bumping each other's nodes would deadlock): only node rows, in id order. A lost bump (this
     * failing) is made good by the next reading that changes.
     */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onStoredBytesChanged(StoredBytesChanged e) {
        siblingsMoved(e.tenantId(), e.databaseId());
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void onDatabaseLeft(DatabaseLeft e) {
        siblingsMoved(e.tenantId(), e.databaseId());
    }

    /** Never throws: the caller's transaction has committed, and its answer (a report's, a delete's) must stand. */
    private void siblingsMoved(UUID tenantId, UUID databaseId) {
        try {
            ownTransaction.executeWithoutResult(tx -> {
                boolean hasQuota = tenants.find(tenantId).map(t -> t.maxStorageBytes() != null).orElse(false);
                if (hasQuota) {
                    bump(databases.nodesOfLiveDatabases(tenantId, databaseId));
                }
            });
        } catch (RuntimeException ex) {
            log.warn("storage limits of tenant {} not refreshed: {}", tenantId, ex.getMessage());
        }
    }

    /** In the order Postgres sorts uuids (their text), as every other transaction that locks several nodes. */
    private void bump(List<UUID> nodes) {
        Set<UUID> ordered = new TreeSet<>(Comparator.comparing(UUID::toString));
        ordered.addAll(nodes);
        ordered.forEach(fleet::desiredStateChanged);
    }
}
