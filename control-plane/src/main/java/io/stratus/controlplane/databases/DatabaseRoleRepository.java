package io.stratus.controlplane.databases;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

interface DatabaseRoleRepository extends JpaRepository<DatabaseRole, UUID> {

    List<DatabaseRole> findByDatabaseIdOrderByName(UUID databaseId);

    List<DatabaseRole> findByDatabaseIdIn(Collection<UUID> databaseIds);

    Optional<DatabaseRole> findByDatabaseIdAndName(UUID databaseId, String name);

    long countByDatabaseId(UUID databaseId);
}
