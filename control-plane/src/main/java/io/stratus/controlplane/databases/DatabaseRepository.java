package io.stratus.controlplane.databases;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import jakarta.persistence.LockModeType;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

/**
 * Every query is scoped by tenant, except the fleet-side ones keyed by node.
 *
 * <p>Whatever changes a database row loads it with a {@code lock...} method ({@code SELECT ... FOR UPDATE}): the API,
 * the autoscaler and the agents' reports all write the same rows, and the entity is written back whole, so two
 * unlocked transactions would each undo the other's change. Rows are locked before the node's row (whose desired
 * generation a change bumps), and several rows in id order, so that no two of these transactions deadlock.
 */
interface DatabaseRepository extends JpaRepository<Database, UUID>, JpaSpecificationExecutor<Database> {

    /** Live databases per node, for the operator's fleet view: node id, count. */
    @Query("select d.nodeId, count(d) from Database d where d.nodeId is not null "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED group by d.nodeId")
    List<Object[]> countLiveByNode();

    Optional<Database> findByIdAndTenantId(UUID id, UUID tenantId);

    Optional<Database> findByEndpoint(String endpoint);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select d from Database d where d.id = :id and d.tenantId = :tenantId")
    Optional<Database> lockByIdAndTenantId(UUID id, UUID tenantId);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select d from Database d where d.id = :id")
    Optional<Database> lockById(UUID id);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select d from Database d where d.nodeId = :nodeId and d.state in :states order by d.id")
    List<Database> lockByNodeIdAndStateIn(UUID nodeId, Collection<DatabaseState> states);

    Page<Database> findByTenantIdAndStateIn(UUID tenantId, Collection<DatabaseState> states, Pageable pageable);

    @Query("select count(d) from Database d where d.tenantId = :tenantId and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    long countLive(UUID tenantId);

    /** What the tenant's live databases other than {@code except} may grow to together: the sum of their maxCu. */
    @Query("select coalesce(sum(d.maxCu), 0) from Database d where d.tenantId = :tenantId and d.id <> :except "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    BigDecimal sumLiveMaxCu(UUID tenantId, UUID except);

    /**
     * What the tenant's live databases (neither being deleted nor deleted: a deletion frees its share at once) store
     * together, per the agents' last readings, each tenant of {@code tenantIds} once (absent: none measured).
     */
    @Query("select d.tenantId, coalesce(sum(d.storedBytes), 0) from Database d where d.tenantId in :tenantIds "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETING "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED group by d.tenantId")
    List<Object[]> sumLiveStoredBytes(Collection<UUID> tenantIds);

    /** The nodes of the tenant's live databases other than {@code except}, whose storage limits depend on its. */
    @Query("select distinct d.nodeId from Database d where d.tenantId = :tenantId and d.id <> :except "
            + "and d.nodeId is not null and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETING "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    List<UUID> nodesOfLiveDatabases(UUID tenantId, UUID except);

    @Query("select count(d) > 0 from Database d where d.tenantId = :tenantId and d.name = :name "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    boolean liveNameExists(UUID tenantId, String name);

    List<Database> findByNodeIdAndStateIn(UUID nodeId, Collection<DatabaseState> states);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select d from Database d where d.nodeId is null and d.state = :state order by d.id")
    List<Database> lockByNodeIdIsNullAndState(DatabaseState state);

    /**
     * The CU the node's databases other than {@code except} hold: a running one its current CU (at least its minCu), a
     * suspended one its minCu, kept so that it can always wake; one being deleted too, until its compute is gone (it
     * runs until the agent has stopped it). Placement, range changes and scale-ups all fit within the node's capacity
     * minus this.
     */
    @Query("select coalesce(sum(case when d.running = true and d.currentCu > d.minCu then d.currentCu else d.minCu end), 0) "
            + "from Database d where d.nodeId = :nodeId and d.id <> :except "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    BigDecimal heldCu(UUID nodeId, UUID except);

    /** {@link #heldCu} of every database on the node. */
    default BigDecimal heldCu(UUID nodeId) {
        return heldCu(nodeId, NO_DATABASE);
    }

    /** No database has this id (v4 ids never are all zeros). */
    UUID NO_DATABASE = new UUID(0, 0);
}
