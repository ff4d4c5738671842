package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.protocol.Route;
import java.math.BigDecimal;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the front doors ask of the control plane: where a database's endpoint leads now, and to wake a suspended one
 * for a connection that waits for it.
 */
@Service
public class DatabaseRoutes {

    private static final Logger log = LoggerFactory.getLogger(DatabaseRoutes.class);
    static final String WOKEN_BY_CONNECTION = "resumed by a connection";

    private final DatabaseRepository databases;
    private final CapacityControl capacity;
    private final Fleet fleet;
    private final ApplicationEventPublisher events;

    DatabaseRoutes(DatabaseRepository databases, CapacityControl capacity, Fleet fleet,
                   ApplicationEventPublisher events) {
        this.databases = databases;
        this.capacity = capacity;
        this.fleet = fleet;
        this.events = events;
    }

    /** Empty for an endpoint no database ever had. */
    @Transactional(readOnly = true)
    public Optional<Route> route(String endpoint) {
        return databases.findByEndpoint(endpoint).map(this::route);
    }

    /**
     * Resumes the endpoint's database if it is suspended, as {@code POST /v1/databases/{id}/resume} does, and says so
     * in its scaling history. Idempotent: a database already running (or resuming) is left as it is, so twenty
     * connections waiting for one database cause one resume. A database that cannot run (failed, deleted) is not
     * touched; its route says why.
     */
    @Transactional
    public Optional<Route> wake(String endpoint) {
        Optional<Database> found = databases.findByEndpoint(endpoint);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Database db = databases.lockById(found.get().getId()).orElseThrow();
        if (!db.running() && CapacityControl.RUNNABLE.contains(db.state())) {
            capacity.resume(db.getId());
            events.publishEvent(new DatabaseCapacityChanged(db.getId(), db.tenantId(), BigDecimal.ZERO, db.currentCu(),
                    WOKEN_BY_CONNECTION));
            log.info("database {} ({}) resumed by a connection", db.name(), db.getId());
        }
        return Optional.of(route(db));
    }

    private Route route(Database db) {
        Optional<Fleet.HostStatus> host = db.nodeId() == null ? Optional.empty() : fleet.hostStatus(db.nodeId());
        return new Route(db.getId(), db.endpoint(), db.name(), db.state().name(), db.running(), db.nodeId(),
                host.map(Fleet.HostStatus::address).orElse(null), host.map(Fleet.HostStatus::frontDoorPort).orElse(null),
                db.state() == DatabaseState.FAILED ? db.message() : null);
    }
}
