package io.stratus.controlplane.databases;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Every query is scoped by tenant, except the fleet-side ones keyed by node. */
interface DatabaseRepository extends JpaRepository<Database, UUID> {

    Optional<Database> findByIdAndTenantId(UUID id, UUID tenantId);

    Page<Database> findByTenantIdAndStateIn(UUID tenantId, Collection<DatabaseState> states, Pageable pageable);

    @Query("select count(d) from Database d where d.tenantId = :tenantId and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    long countLive(UUID tenantId);

    @Query("select count(d) > 0 from Database d where d.tenantId = :tenantId and d.name = :name "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    boolean liveNameExists(UUID tenantId, String name);

    List<Database> findByNodeIdAndStateIn(UUID nodeId, Collection<DatabaseState> states);

    List<Database> findByNodeIdIsNullAndState(DatabaseState state);

    @Query("select coalesce(sum(d.minCu), 0) from Database d where d.nodeId = :nodeId "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    BigDecimal committedCu(UUID nodeId);

    @Query("select coalesce(sum(d.currentCu), 0) from Database d where d.nodeId = :nodeId and d.id <> :except "
            + "and d.running = true and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETING")
    BigDecimal grantedCu(UUID nodeId, UUID except);

    @Query("select d.port from Database d where d.nodeId = :nodeId and d.port is not null "
            + "and d.state <> io.stratus.controlplane.databases.DatabaseState.DELETED")
    List<Integer> usedPorts(UUID nodeId);
}
