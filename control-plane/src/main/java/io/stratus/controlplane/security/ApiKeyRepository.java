package io.stratus.controlplane.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findByKeyHash(byte[] keyHash);

    Optional<ApiKey> findByIdAndTenantId(UUID id, UUID tenantId);

    List<ApiKey> findByTenantIdOrderByCreatedAt(UUID tenantId);

    List<ApiKey> findByRoleAndRevokedAtIsNull(Role role);

    @Transactional
    @Modifying
    @Query("update ApiKey k set k.lastUsedAt = :at where k.id = :id and (k.lastUsedAt is null or k.lastUsedAt < :at)")
    int markUsed(UUID id, Instant at);

    /** Serializes operator-key bootstraps of control planes starting at once, until the transaction ends. */
    @Query(value = "select 1 from (select pg_advisory_xact_lock(1399551083)) l", nativeQuery = true)
    int lockOperatorKeys();
}
