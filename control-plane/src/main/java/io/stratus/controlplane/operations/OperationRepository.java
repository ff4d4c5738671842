package io.stratus.controlplane.operations;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

interface OperationRepository extends JpaRepository<Operation, UUID> {

    Optional<Operation> findByIdAndTenantId(UUID id, UUID tenantId);

    Page<Operation> findByStateIn(Collection<OperationState> states, Pageable pageable);

    Page<Operation> findByDatabaseId(UUID databaseId, Pageable pageable);

    List<Operation> findByDatabaseIdAndStateIn(UUID databaseId, Collection<OperationState> states);

    Optional<Operation> findFirstByDatabaseIdAndTypeOrderByCreatedAtDesc(UUID databaseId, OperationType type);

    List<Operation> findByStateInAndCreatedAtBefore(Collection<OperationState> states, Instant before);
}
