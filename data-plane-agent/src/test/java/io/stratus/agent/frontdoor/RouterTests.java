package io.stratus.agent.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.protocol.Route;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where the router sends a connection, against a control plane and a node played by maps: a compute "comes up" when
 * a wake lands, as the reconciler would publish it.
 */
class RouterTests {

    private static final UUID ME = UUID.randomUUID();
    private static final UUID OTHER_NODE = UUID.randomUUID();
    private static final UUID DB = UUID.randomUUID();
    private static final Path SOCKET = Path.of("/tmp/stratus-test/.s.PGSQL.5432");

    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<UUID, Path> running = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicInteger wakes = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    /** What a wake does on this "node": the compute runs after this long (never, when null). */
    private volatile Duration upAfterWake = Duration.ofMillis(50);

    private final Routes controlPlane = new Routes() {
        @Override
        public Optional<Route> lookup(String endpoint) {
            lookups.incrementAndGet();
            return Optional.ofNullable(routes.get(endpoint));
        }

        @Override
        public Optional<Route> wake(String endpoint) {
            wakes.incrementAndGet();
            Route r = routes.get(endpoint);
            routes.put(endpoint, with(r, "SUSPENDED", true));
            Duration after = upAfterWake;
            if (after != null) {
                CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> running.put(r.databaseId(), SOCKET));
            }
            return Optional.of(routes.get(endpoint));
        }

        @Override
        public Optional<UUID> nodeId() {
            return Optional.of(ME);
        }
    };

    private final Router router = new Router(controlPlane, id -> Optional.ofNullable(running.get(id)), pool,
            Duration.ofSeconds(2), "db.example.com");

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aKnownDatabaseRunningHereIsRoutedWithoutAskingTheControlPlane() throws Exception {
        routes.put("ep1", route("shop", "RUNNING", true, ME));
        running.put(DB, SOCKET);
        resolve("shop.ep1");
        int asked = lookups.get();

        Target target = router.resolve(startup("shop.ep1"), null, deadline()).getNow(null);

        assertThat(target).as("completed on the caller's thread").isNotNull();
        assertThat(target.socket()).isEqualTo(SOCKET);
        assertThat(target.startup().database()).as("the compute's own name on the last hop").isEqualTo("shop");
        assertThat(target.startup().user()).isEqualTo("shop_owner");
        assertThat(lookups.get()).isEqualTo(asked);
    }

    @Test
    void anUnknownEndpointAWrongNameAndNoEndpointAllDoNotExist() {
        routes.put("ep1", route("shop", "RUNNING", true, ME));

        assertThat(failure("shop.nosuch")).isEqualTo("3D000: database \"shop.nosuch\" does not exist");
        assertThat(failure("other.ep1")).isEqualTo("3D000: database \"other.ep1\" does not exist");
        assertThat(failure("shop")).startsWith("3D000: database \"shop\" does not exist: connect to <name>.<endpoint>");
    }

    @Test
    void aDeletedDatabaseDoesNotExistAndSaysSo() {
        routes.put("ep1", route("shop", "DELETED", false, ME));

        assertThat(failure("shop.ep1")).isEqualTo("3D000: database \"shop.ep1\" does not exist (it was deleted)");
    }

    @Test
    void aServerNameRoutesAndThePlainNameThenSuffices() throws Exception {
        routes.put("ep1", route("shop", "RUNNING", true, ME));
        running.put(DB, SOCKET);

        Target target = router.resolve(startup("shop"), "EP1.db.example.com", deadline()).get(5, TimeUnit.SECONDS);

        assertThat(target.socket()).isEqualTo(SOCKET);
        assertThat(target.startup().database()).isEqualTo("shop");
    }

    @Test
    void aDatabaseOnAnotherNodeGoesToThatNodesFrontDoorAsTheClientAskedForIt() throws Exception {
        routes.put("ep1", route("shop", "RUNNING", true, OTHER_NODE));

        Target target = resolve("shop.ep1");

        assertThat(target.isLocal()).isFalse();
        assertThat(target.remote().getHostString()).isEqualTo("10.0.0.8");
        assertThat(target.remote().getPort()).isEqualTo(6432);
        assertThat(target.startup().database()).as("routed again there").isEqualTo("shop.ep1");
    }

    @Test
    void twentyConnectionsToASuspendedDatabaseSendOneWakeAndAllGetThrough() throws Exception {
        routes.put("ep1", route("shop", "SUSPENDED", false, ME));
        upAfterWake = Duration.ofMillis(300);
        List<CompletableFuture<Target>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(router.resolve(startup("shop.ep1"), null, deadline()));
        }

        for (CompletableFuture<Target> f : all) {
            assertThat(f.get(5, TimeUnit.SECONDS).socket()).isEqualTo(SOCKET);
        }
        assertThat(wakes.get()).isEqualTo(1);
    }

    @Test
    void aDatabaseSuspendedAgainRightAfterAWakeIsWokenAtOnceByItsNextConnection() throws Exception {
        routes.put("ep1", route("shop", "SUSPENDED", false, ME));
        resolve("shop.ep1");
        // Suspended again at once: its compute is gone and the control plane says so.
        running.remove(DB);
        routes.put("ep1", route("shop", "SUSPENDED", false, ME));

        long started = System.nanoTime();
        resolve("shop.ep1");

        assertThat(wakes.get()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not held back by the first wake")
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aWakeThatTakesLongerThanTheTimeoutEndsIn57P03() {
        routes.put("ep1", route("shop", "SUSPENDED", false, ME));
        upAfterWake = null;

        assertThat(failure("shop.ep1")).startsWith("57P03: database \"shop.ep1\" is waking up and did not accept"
                + " connections within 2s");
    }

    @Test
    void anUnreachableControlPlaneIs57P03NotAHang() {
        Router cut = new Router(new Routes() {
            @Override
            public Optional<Route> lookup(String endpoint) throws RouteUnavailable {
                throw new RouteUnavailable("connection refused", null);
            }

            @Override
            public Optional<Route> wake(String endpoint) throws RouteUnavailable {
                throw new RouteUnavailable("connection refused", null);
            }

            @Override
            public Optional<UUID> nodeId() {
                return Optional.of(ME);
            }
        }, id -> Optional.empty(), pool, Duration.ofSeconds(2), null);

        assertThatThrownBy(() -> cut.resolve(startup("shop.ep1"), null, deadline()).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RouteFailure.class).cause()
                .satisfies(e -> assertThat(((RouteFailure) e).sqlState()).isEqualTo("57P03"));
    }

    private Target resolve(String database) throws Exception {
        return router.resolve(startup(database), null, deadline()).get(5, TimeUnit.SECONDS);
    }

    private String failure(String database) {
        try {
            router.resolve(startup(database), null, deadline()).get(5, TimeUnit.SECONDS);
            throw new AssertionError("routed " + database);
        } catch (ExecutionException e) {
            RouteFailure f = (RouteFailure) e.getCause();
            return f.sqlState() + ": " + f.getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static long deadline() {
        return System.nanoTime() + Duration.ofSeconds(2).toNanos();
    }

    private static StartupMessage startup(String database) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("user", "shop_owner");
        p.put("database", database);
        p.put("application_name", "test");
        return new StartupMessage(3 << 16, p);
    }

    private static Route route(String name, String state, boolean running, UUID node) {
        return new Route(DB, "ep1", name, state, running, node, node.equals(ME) ? "127.0.0.1" : "10.0.0.8", 6432, null);
    }

    private static Route with(Route r, String state, boolean running) {
        return new Route(r.databaseId(), r.endpoint(), r.databaseName(), state, running, r.nodeId(), r.nodeAddress(),
                r.nodePort(), r.message());
    }
}
