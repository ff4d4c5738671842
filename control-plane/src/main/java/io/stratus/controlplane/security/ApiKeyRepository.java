package io.stratus.controlplane.security;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findByKeyHash(byte[] keyHash);

    Optional<ApiKey> findByIdAndTenantId(UUID id, UUID tenantId);

    List<ApiKey> findByTenantIdOrderByCreatedAt(UUID tenantId);

    List<ApiKey> findByRoleAndRevokedAtIsNull(Role role);

    /** Serializes operator-key bootstraps of control planes starting at once, until the transaction ends. */
    @Query(value = "select 1 from (select pg_advisory_xact_lock(1399551083)) l", nativeQuery = true)
    int lockOperatorKeys();
}
