package io.stratus.controlplane.databases;

import java.sql.PreparedStatement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What other features may know of a database without reading the databases feature's tables: whose it is (metering;
 * deleted databases keep their owner, their usage is still the tenant's) and where its compute is (tasks).
 */
@Service
public class DatabaseDirectory {

    private final JdbcTemplate jdbcTemplate;
    private final JdbcClient jdbc;
    private final DatabaseRepository databases;

    DatabaseDirectory(JdbcTemplate jdbcTemplate, DatabaseRepository databases) {
        this.jdbcTemplate = jdbcTemplate;
        this.jdbc = JdbcClient.create(jdbcTemplate);
        this.databases = databases;
    }

    /**
     * Where a database's compute is, and whether it has one.
     *
     * @param nodeId     null until it is placed
     * @param hasCompute a compute exists on that node to work on (running or suspended), as far as the control plane
     *                   knows: not while it is still being made, failed, or on its way out
     */
    public record Placement(UUID databaseId, UUID tenantId, UUID nodeId, boolean hasCompute) {
    }

    /**
     * Locks the database's row until the caller's transaction ends (so it cannot be deleted or moved meanwhile) and
     * says where it is. Empty for an unknown id.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Placement> lockPlacement(UUID databaseId) {
        return databases.lockById(databaseId).map(d -> new Placement(d.getId(), d.tenantId(), d.nodeId(),
                d.nodeId() != null && (d.state() == DatabaseState.RUNNING || d.state() == DatabaseState.SUSPENDED)));
    }

    /** Database id → tenant, for those of {@code databaseIds} placed on the node (others are left out); one query. */
    public Map<UUID, UUID> tenantsOfDatabasesOn(UUID nodeId, Collection<UUID> databaseIds) {
        Map<UUID, UUID> tenants = new HashMap<>();
        jdbcTemplate.query(con -> {
            PreparedStatement ps = con.prepareStatement("select id, tenant_id from databases where node_id = ? and id = any(?)");
            ps.setObject(1, nodeId);
            ps.setArray(2, con.createArrayOf("uuid", databaseIds.toArray()));
            return ps;
        }, rs -> {
            tenants.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
        });
        return tenants;
    }

    /** Those of {@code databaseIds} that are live (neither being deleted nor deleted); one query. */
    public java.util.List<UUID> live(Collection<UUID> databaseIds) {
        if (databaseIds.isEmpty()) {
            return java.util.List.of();
        }
        return jdbcTemplate.query(con -> {
            PreparedStatement ps = con.prepareStatement("select id from databases where id = any(?) "
                    + "and state not in ('DELETING', 'DELETED')");
            ps.setArray(1, con.createArrayOf("uuid", databaseIds.toArray()));
            return ps;
        }, (rs, n) -> rs.getObject(1, UUID.class));
    }

    /**
     * Every database not deleted (those being deleted included), with its tenant: the ones whose computes may archive
     * WAL into the backup store (backup storage metering, ADR 0022). One query.
     */
    public Map<UUID, UUID> tenantsOfUndeleted() {
        Map<UUID, UUID> tenants = new HashMap<>();
        jdbc.sql("select id, tenant_id from databases where state <> 'DELETED'")
                .query(rs -> {
                    tenants.put(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class));
                });
        return tenants;
    }

    /** The tenant a database belongs to, also after its deletion; empty for an unknown id. */
    public Optional<UUID> tenantOf(UUID databaseId) {
        return jdbc.sql("select tenant_id from databases where id = ?").param(databaseId).query(UUID.class).optional();
    }
}
