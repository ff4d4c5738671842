package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.RoleSpec;
import java.util.Comparator;
import java.util.HashMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Builds what a node should run from the databases placed on it. Deleting and deleted databases are left out, which
 * tells the agent to delete their computes.
 */
@Service
public class ComputeDesiredState {

    private static final EnumSet<DatabaseState> DESIRED = EnumSet.of(DatabaseState.PROVISIONING, DatabaseState.RUNNING,
            DatabaseState.SUSPENDED, DatabaseState.FAILED);

    private final DatabaseRepository databases;
    private final DatabaseRoleRepository roles;
    private final Fleet fleet;
    private final TenantDirectory tenants;

    ComputeDesiredState(DatabaseRepository databases, DatabaseRoleRepository roles, Fleet fleet, TenantDirectory tenants) {
        this.databases = databases;
        this.roles = roles;
        this.fleet = fleet;
        this.tenants = tenants;
    }

    /**
     * One snapshot: the generation and the computes are read in the same repeatable-read transaction, so the agent
     * never gets a generation newer than the list it comes with.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public DesiredState forNode(UUID nodeId) {
        long generation = fleet.desiredGeneration(nodeId);
        List<Database> placed = databases.findByNodeIdAndStateIn(nodeId, DESIRED);
        Map<UUID, List<RoleSpec>> rolesOf = roles.findByDatabaseIdIn(placed.stream().map(Database::getId).toList())
                .stream().sorted(Comparator.comparing(DatabaseRole::name))
                .collect(Collectors.groupingBy(DatabaseRole::databaseId,
                        Collectors.mapping(r -> new RoleSpec(r.name(), r.verifier(), r.readOnly()), Collectors.toList())));
        Map<UUID, Long> quotas = new HashMap<>();
        for (TenantDirectory.TenantView t : tenants.findAll(placed.stream().map(Database::tenantId).distinct().toList())) {
            if (t.maxStorageBytes() != null) {
                quotas.put(t.id(), t.maxStorageBytes());
            }
        }
        Map<UUID, Long> stored = new HashMap<>();
        if (!quotas.isEmpty()) {
            for (Object[] row : databases.sumLiveStoredBytes(quotas.keySet())) {
                stored.put((UUID) row[0], ((Number) row[1]).longValue());
            }
        }
        List<ComputeSpec> computes = placed.stream()
                .map(d -> ComputeSpec.builder().computeId(d.getId()).databaseName(d.name()).ownerRole(d.ownerRole())
                        .ownerVerifier(d.ownerVerifier()).running(d.running()).cu(d.currentCu()).minCu(d.minCu())
                        .maxCu(d.maxCu()).release(d.release()).settings(d.settings()).specVersion(d.specVersion())
                        .roles(rolesOf.getOrDefault(d.getId(), List.of())).pgStatStatements(d.pgStatStatements())
                        .storageLimitBytes(StorageLimits.limitFor(quotas.get(d.tenantId()),
                                stored.getOrDefault(d.tenantId(), 0L), d.storedBytes()))
                        .restore(d.restoreSpec())
                        .build())
                .toList();
        return new DesiredState(nodeId, generation, computes);
    }
}
