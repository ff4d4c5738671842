package io.stratus.controlplane.fleet;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.support.Tokens;
import io.stratus.controlplane.web.ApiException;
import io.stratus.protocol.RegisterNodeRequest;
import io.stratus.protocol.RegisterNodeResponse;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The fleet of data-plane nodes: registration, heartbeats, placement of computes and the desired-state generation
 * each node watches. The entry point of the fleet feature.
 */
@Service
public class Fleet {

    static final String CREDENTIAL_PREFIX = "snc_";

    private final NodeRepository nodes;
    private final NodeSignals signals;
    private final ObjectProvider<NodeLoad> load;
    private final Clock clock;
    private final Duration heartbeatTimeout;

    Fleet(NodeRepository nodes, NodeSignals signals, ObjectProvider<NodeLoad> load, Clock clock, StratusSettings settings) {
        this.nodes = nodes;
        this.signals = signals;
        this.load = load;
        this.clock = clock;
        this.heartbeatTimeout = settings.nodeHeartbeatTimeout();
    }

    /**
     * A node as the operator sees it. {@code heldCu}: what its databases hold of {@code capacityCu} (see
     * {@link NodeLoad}); above the capacity only if the node's capacity was lowered under them.
     */
    public record NodeView(UUID id, String name, String address, String zone, BigDecimal capacityCu, BigDecimal heldCu,
                           NodeState state, String enforcement, List<String> releases, long desiredGeneration,
                           long observedGeneration, Instant lastHeartbeatAt, int frontDoorPort) {
    }

    /** Where a compute goes: the node and its address. */
    public record Placement(UUID nodeId, String address) {
    }

    /**
     * Registers a host, or re-registers it under the same name with a fresh credential (the old one stops working):
     * an agent that lost its identity file gets its node, and its computes, back.
     */
    @Transactional
    public RegisterNodeResponse register(RegisterNodeRequest r) {
        String credential = Tokens.generate(CREDENTIAL_PREFIX);
        Node node = nodes.findByName(r.name()).orElseGet(() -> new Node(r.name(), Tokens.hash(credential), clock.instant()));
        node.rotateCredential(Tokens.hash(credential));
        node.describe(r.address(), r.zone(), r.capacityCu(), r.frontDoorPort(),
                String.join(",", r.releases() == null ? List.of() : r.releases()));
        node.heartbeat(clock.instant(), 0, "none");
        nodes.save(node);
        return new RegisterNodeResponse(node.getId(), credential);
    }

    /** The node a credential belongs to. */
    @Transactional(readOnly = true)
    public Optional<UUID> authenticate(String credential) {
        if (credential == null || !credential.startsWith(CREDENTIAL_PREFIX)) {
            return Optional.empty();
        }
        return nodes.findByCredentialHash(Tokens.hash(credential)).map(Node::getId);
    }

    /** An agent's report: alive, how far it got, and how it enforces CU. */
    @Transactional
    public void heartbeat(UUID nodeId, long observedGeneration, String enforcement) {
        nodes.findById(nodeId).ifPresent(n -> n.heartbeat(clock.instant(), observedGeneration, enforcement));
    }

    @Transactional(readOnly = true)
    public List<NodeView> list() {
        return nodes.findAll().stream().sorted(Comparator.comparing(Node::createdAt)).map(this::view).toList();
    }

    @Transactional(readOnly = true)
    public Optional<NodeView> find(UUID id) {
        return nodes.findById(id).map(this::view);
    }

    /**
     * Locks the node's row for the caller's transaction: whoever changes what databases hold on a node (placement, a
     * minCu raise, a scale-up) reads what the others hold only under it, so two cannot both take its last CU. Taken
     * after the database rows the caller locks, as every writer does.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lock(UUID nodeId) {
        nodes.lockById(nodeId);
    }

    public long desiredGeneration(UUID nodeId) {
        return nodes.desiredGeneration(nodeId).orElseThrow(() -> ApiException.notFound("node"));
    }

    /**
     * Picks a READY node that can run {@code release} with the most CU left (counting {@code heldCu}, what the databases
     * already placed there hold: a running one its current CU, a suspended one its minCu). Must run inside the caller's
     * transaction, after the database rows it locks.
     *
     * <p>Locks every READY node first, in id order, and only then reads what they hold: what a placement or grant took
     * while we waited is counted (six creates at once on a node with room for two placed three when the room was read
     * before the lock), and two placements lock nodes in one order. Locking only the chosen node and moving on to the
     * next when its room had gone took nodes in the order of each transaction's own ranking: two creates could each
     * hold the node the other wanted next and deadlock.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Placement> place(BigDecimal minCu, String release,
                                     java.util.function.Function<UUID, BigDecimal> heldCu) {
        record Room(Node node, BigDecimal free) {
        }
        List<Room> candidates = nodes.lockByStateOrderById(NodeState.READY).stream()
                .filter(n -> runs(n, release))
                .map(n -> new Room(n, n.capacityCu().subtract(heldCu.apply(n.getId()))))
                .filter(r -> r.free().compareTo(minCu) >= 0)
                .sorted(Comparator.comparing(Room::free).reversed()
                        .thenComparing(r -> r.node().createdAt()))
                .toList();
        return candidates.stream().findFirst().map(r -> new Placement(r.node().getId(), r.node().address()));
    }

    /** The node's capacity in CU. */
    @Transactional(readOnly = true)
    public BigDecimal capacityCu(UUID nodeId) {
        return nodes.findById(nodeId).map(Node::capacityCu).orElse(BigDecimal.ZERO);
    }

    /**
     * What a database's view says of its host: its front door (where other front doors relay to), and whether the
     * host's agent is reporting ({@code false} once it missed heartbeats for the timeout) with when it last did.
     */
    public record HostStatus(String address, int frontDoorPort, boolean reporting, Instant lastHeartbeatAt) {
    }

    @Transactional(readOnly = true)
    public Optional<HostStatus> hostStatus(UUID nodeId) {
        return nodes.findById(nodeId)
                .map(n -> new HostStatus(n.address(), n.frontDoorPort(), reporting(n.lastHeartbeatAt()), n.lastHeartbeatAt()));
    }

    /**
     * By the heartbeat's age, not the node's state: the health monitor only marks READY nodes NOT_READY, and a
     * cordoned or draining node's agent can fall silent too.
     */
    private boolean reporting(Instant lastHeartbeatAt) {
        // Registered but not yet reported: nothing is late yet.
        return lastHeartbeatAt == null || lastHeartbeatAt.isAfter(silenceCutoff());
    }

    /** A node whose last heartbeat is older than this has gone silent ({@code stratus.node-heartbeat-timeout}). */
    private Instant silenceCutoff() {
        return clock.instant().minus(heartbeatTimeout);
    }

    /**
     * Marks the node's desired state changed, in the caller's transaction; its agent is woken once that commits.
     *
     * @return the new generation
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long desiredStateChanged(UUID nodeId) {
        long generation = nodes.bumpGeneration(nodeId).get(0);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                signals.signal(nodeId);
            }
        });
        return generation;
    }

    /**
     * Blocks until the node's desired generation passes {@code after} or {@code timeoutMillis} elapse, or this control
     * plane stops (or the thread is interrupted): the caller then answers with what it has, and the agent polls again.
     *
     * @return the current generation
     */
    public long awaitGenerationAfter(UUID nodeId, long after, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            long mark = signals.mark(nodeId);
            long g = desiredGeneration(nodeId);
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (g > after || left <= 0 || !signals.isRunning()) {
                return g;
            }
            try {
                signals.await(nodeId, mark, Math.min(left, 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return g;
            }
        }
    }

    /** Marks READY nodes whose agent has gone silent NOT_READY; returns how many. */
    @Transactional
    public int markSilentNodesNotReady() {
        return nodes.markSilentNodesNotReady(silenceCutoff());
    }

    private static boolean runs(Node n, String release) {
        for (String v : n.releases().split(",")) {
            if (runs(v, release)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a node's release (a full version) is what a database asked for (a major, or a full version). */
    public static boolean runs(String nodeRelease, String wanted) {
        return nodeRelease.equals(wanted) || nodeRelease.startsWith(wanted + ".");
    }

    /** Every release some registered node offers, whatever its state, sorted. */
    @Transactional(readOnly = true)
    public java.util.SortedSet<String> offeredReleases() {
        java.util.SortedSet<String> all = new java.util.TreeSet<>();
        for (Node n : nodes.findAll()) {
            if (!n.releases().isEmpty()) {
                all.addAll(List.of(n.releases().split(",")));
            }
        }
        return all;
    }

    private NodeView view(Node n) {
        BigDecimal held = load.getIfAvailable(() -> id -> BigDecimal.ZERO).heldCu(n.getId()).stripTrailingZeros();
        return new NodeView(n.getId(), n.name(), n.address(), n.zone(), n.capacityCu(), held, n.state(), n.enforcement(),
                n.releases().isEmpty() ? List.of() : List.of(n.releases().split(",")), n.desiredGeneration(),
                n.observedGeneration(), n.lastHeartbeatAt(), n.frontDoorPort());
    }
}
