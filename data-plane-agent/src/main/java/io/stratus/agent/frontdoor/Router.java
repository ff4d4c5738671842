package io.stratus.agent.frontdoor;

import io.stratus.protocol.Route;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds where a connection goes. A database running on this node whose endpoint was seen before is found without
 * asking anyone (the endpoint's database never changes; whether it runs here is the reconciler's word). Everything
 * else asks the control plane, on a worker thread: a database on another node is relayed to that node's front door;
 * one on this node that is suspended is woken (one wake request per database however many clients wait) and waited
 * for; one not yet placed is waited for until it is. A wait longer than the wake timeout ends in 57P03.
 */
final class Router {

    private static final Logger log = LoggerFactory.getLogger(Router.class);
    /** How often a waiting connection looks whether its compute came up: the wake latency this adds is half of it. */
    private static final Duration POLL = Duration.ofMillis(10);
    /** How often a waiting connection asks the control plane again (the database may have moved, failed or gone). */
    private static final Duration REFRESH = Duration.ofSeconds(1);
    /** A wake is sent again after this long if the database still is not running (the first was lost). */
    private static final Duration REWAKE = Duration.ofSeconds(5);
    private static final int MAX_KNOWN = 100_000;

    private final Routes routes;
    private final LocalComputes local;
    private final Executor blocking;
    private final Duration wakeTimeout;
    private final String serverNameSuffix;
    /** Endpoint to database: fixed at creation, so it is kept for as long as it is used. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    /** When a wake was last sent per database (nanoTime), so that twenty waiting clients send one. */
    private final Map<UUID, Long> wakes = new ConcurrentHashMap<>();

    private record Known(UUID databaseId, String databaseName) {
    }

    Router(Routes routes, LocalComputes local, Executor blocking, Duration wakeTimeout, String serverNameSuffix) {
        this.routes = routes;
        this.local = local;
        this.blocking = blocking;
        this.wakeTimeout = wakeTimeout;
        this.serverNameSuffix = serverNameSuffix;
    }

    /**
     * The target of a connection; completes exceptionally with a {@link RouteFailure} the client is told. Completes
     * at once, on the caller's thread, for a known database running here.
     */
    CompletableFuture<Target> resolve(StartupMessage startup, String serverName, long deadlineNanos) {
        RequestedDatabase requested = RequestedDatabase.of(startup.database(), serverName, serverNameSuffix);
        if (requested == null) {
            return CompletableFuture.failedFuture(new RouteFailure(PgWire.INVALID_CATALOG_NAME, "database \""
                    + startup.database() + "\" does not exist: connect to <name>.<endpoint>, as in the connection"
                    + " URI the Stratus API gave"));
        }
        Known k = known.get(requested.endpoint());
        if (k != null && matches(requested, k.databaseName())) {
            Optional<Path> socket = local.socketOf(k.databaseId());
            if (socket.isPresent()) {
                return CompletableFuture.completedFuture(Target.local(k.databaseId(), requested.endpoint(), socket.get(),
                        startup.withDatabase(k.databaseName())));
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return resolveSlowly(requested, startup, deadlineNanos);
            } catch (RouteFailure e) {
                throw new java.util.concurrent.CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CompletionException(
                        new RouteFailure(PgWire.ADMIN_SHUTDOWN, "the front door is shutting down"));
            }
        }, blocking);
    }

    private Target resolveSlowly(RequestedDatabase requested, StartupMessage startup, long deadlineNanos)
            throws RouteFailure, InterruptedException {
        while (true) {
            Route route = lookup(requested);
            Optional<Path> socket = local.socketOf(route.databaseId());
            if (socket.isPresent()) {
                return Target.local(route.databaseId(), route.endpoint(), socket.get(),
                        startup.withDatabase(route.databaseName()));
            }
            UUID me = routes.nodeId().orElseThrow(() -> new RouteFailure(PgWire.CANNOT_CONNECT_NOW,
                    "the front door is starting up; try again"));
            if (route.nodeId() != null && !route.nodeId().equals(me)) {
                if (route.nodeAddress() == null || route.nodePort() == null) {
                    throw new RouteFailure(PgWire.CANNOT_CONNECT_NOW, "the database's node has no front door yet");
                }
                // The next front door routes it again by what the client sent: it may wake it there.
                return Target.remote(route.databaseId(), route.endpoint(),
                        InetSocketAddress.createUnresolved(route.nodeAddress(), route.nodePort()), startup);
            }
            if (route.nodeId() != null && !route.running()) {
                wake(requested.endpoint(), route.databaseId());
            }
            long until = Math.min(deadlineNanos, System.nanoTime() + REFRESH.toNanos());
            while (System.nanoTime() < until) {
                socket = local.socketOf(route.databaseId());
                if (socket.isPresent()) {
                    // Up: the next suspend's first connection must not wait out this wake's REWAKE.
                    wakes.remove(route.databaseId());
                    return Target.local(route.databaseId(), route.endpoint(), socket.get(),
                            startup.withDatabase(route.databaseName()));
                }
                Thread.sleep(POLL.toMillis());
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new RouteFailure(PgWire.CANNOT_CONNECT_NOW, "database \"" + requested.requested() + "\" is "
                        + (route.nodeId() == null ? "still being created" : "waking up") + " and did not accept"
                        + " connections within " + wakeTimeout.toSeconds() + "s; try again");
            }
        }
    }

    /** The endpoint's route, checked: it exists, it is the database the client named, it can take connections. */
    private Route lookup(RequestedDatabase requested) throws RouteFailure {
        Route route;
        try {
            route = routes.lookup(requested.endpoint()).orElseThrow(() -> RouteFailure.noSuchDatabase(requested.requested()));
        } catch (Routes.RouteUnavailable e) {
            log.warn("cannot route {}: {}", requested.endpoint(), e.getMessage());
            throw new RouteFailure(PgWire.CANNOT_CONNECT_NOW, "the front door cannot reach the Stratus control plane"
                    + " to find database \"" + requested.requested() + "\"; try again");
        }
        if (!matches(requested, route.databaseName())) {
            throw RouteFailure.noSuchDatabase(requested.requested());
        }
        if (route.gone()) {
            known.remove(requested.endpoint());
            throw new RouteFailure(PgWire.INVALID_CATALOG_NAME, "database \"" + requested.requested()
                    + "\" does not exist (it was deleted)");
        }
        if ("FAILED".equals(route.state())) {
            throw new RouteFailure(PgWire.CANNOT_CONNECT_NOW, "database \"" + requested.requested()
                    + "\" cannot take connections: " + (route.message() == null ? "its compute failed" : route.message()));
        }
        if (known.size() >= MAX_KNOWN) {
            known.clear();
        }
        known.put(requested.endpoint(), new Known(route.databaseId(), route.databaseName()));
        return route;
    }

    private void wake(String endpoint, UUID databaseId) throws RouteFailure {
        long now = System.nanoTime();
        Long last = wakes.get(databaseId);
        if (last != null && now - last < REWAKE.toNanos()) {
            return;
        }
        boolean mine = last == null ? wakes.putIfAbsent(databaseId, now) == null : wakes.replace(databaseId, last, now);
        if (!mine) {
            return; // another waiting connection sent it just now
        }
        try {
            routes.wake(endpoint);
            log.info("woke database {} for a connection", databaseId);
        } catch (Routes.RouteUnavailable e) {
            wakes.remove(databaseId);
            throw new RouteFailure(PgWire.CANNOT_CONNECT_NOW, "the front door cannot reach the Stratus control plane"
                    + " to wake the database; try again");
        }
    }

    private static boolean matches(RequestedDatabase requested, String databaseName) {
        return requested.name() == null || requested.name().equals(databaseName);
    }
}
