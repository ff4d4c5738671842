package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The databases' release and operator settings, for rolling updates: which live databases a selector names, and a
 * new target for one (a spec change its agent applies as a planned restart). The entry point of the {@code updates}
 * feature into this one.
 */
@Service
public class DatabaseTargets {

    private static final PgSettingsColumn SETTINGS = new PgSettingsColumn();

    private final JdbcClient jdbc;
    private final DatabaseRepository databases;
    private final Fleet fleet;

    DatabaseTargets(JdbcClient jdbc, DatabaseRepository databases, Fleet fleet) {
        this.jdbc = jdbc;
        this.databases = databases;
        this.fleet = fleet;
    }

    /**
     * A database as a rolling update sees it.
     *
     * @param release        what it asks for (a major, or a full version)
     * @param runningRelease the full version its agent last reported it on; null before the first report
     * @param running        its spec runs it (false: suspended)
     * @param live           placed and neither being created, failed, nor on its way out
     */
    public record Target(UUID id, UUID tenantId, UUID nodeId, String name, String release, String runningRelease,
                         Map<String, String> settings, boolean running, boolean live, long specVersion) {
    }

    /**
     * The live placed databases (running or suspended) a selector names, in id order: all of them when every filter
     * is null; else those of the tenant, and of the node, and among the ids, for the filters given.
     */
    @Transactional(readOnly = true)
    public List<Target> select(UUID tenantId, UUID nodeId, List<UUID> ids) {
        return jdbc.sql("select id, tenant_id, node_id, name, release, running_release, pg_settings, running, state, "
                        + "spec_version from databases where node_id is not null and state in ('RUNNING', 'SUSPENDED') "
                        + "and (cast(:tenant as uuid) is null or tenant_id = :tenant) "
                        + "and (cast(:node as uuid) is null or node_id = :node) "
                        + "and (:all or id = any(:ids)) order by id")
                .param("tenant", tenantId).param("node", nodeId).param("all", ids == null)
                .param("ids", ids == null ? new UUID[0] : ids.toArray(UUID[]::new))
                .query((rs, n) -> new Target(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                        rs.getObject(3, UUID.class), rs.getString(4), rs.getString(5), rs.getString(6),
                        SETTINGS.convertToEntityAttribute(rs.getString(7)), rs.getBoolean(8),
                        true, rs.getLong(10)))
                .list();
    }

    /** Locks the database's row until the caller's transaction ends and says where it stands; empty if unknown. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Target> lock(UUID id) {
        return databases.lockById(id).map(DatabaseTargets::target);
    }

    /**
     * Gives the database a new release and settings (its spec's next version) and wakes its node. The caller holds
     * its row ({@link #lock}).
     *
     * @return the spec version that carries them
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long retarget(UUID id, String release, Map<String, String> settings) {
        Database db = databases.lockById(id).orElseThrow(() -> new IllegalStateException("no database " + id));
        if (db.nodeId() != null) {
            // The node row after the database's (see DatabaseRepository on lock order).
            fleet.desiredStateChanged(db.nodeId());
        }
        return db.retarget(release, settings);
    }

    private static Target target(Database d) {
        boolean live = d.nodeId() != null
                && (d.state() == DatabaseState.RUNNING || d.state() == DatabaseState.SUSPENDED);
        return new Target(d.getId(), d.tenantId(), d.nodeId(), d.name(), d.release(), d.runningRelease(),
                d.settings(), d.running(), live, d.specVersion());
    }
}
