package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.agent.support.Backoff;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.RegisterNodeRequest;
import io.stratus.protocol.RegisterNodeResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's identity: the one kept in node.json, or a new one from registering with the bootstrap token. When the
 * control plane rejects the credential (401), it is forgotten and the node registers again.
 */
@Component
class NodeRegistration {

    private static final Logger log = LoggerFactory.getLogger(NodeRegistration.class);
    static final Duration RETRY_INITIAL = Duration.ofMillis(200);
    static final Duration RETRY_MAX = Duration.ofSeconds(5);

    private final AgentSettings settings;
    private final NodeIdentityStore store;
    private final ControlPlaneClient client;
    private final ReleaseCatalog releases;
    private final AtomicReference<NodeIdentity> current = new AtomicReference<>();
    /** Serialises registrations, so two threads that both lack an identity register once. */
    private final Object registering = new Object();
    /** Makes "forget and delete the file" atomic against "save the file and remember". */
    private final Object file = new Object();

    NodeRegistration(AgentSettings settings, NodeIdentityStore store, ControlPlaneClient client, ReleaseCatalog releases) {
        this.settings = settings;
        this.store = store;
        this.client = client;
        this.releases = releases;
    }

    /** The identity, registering first if there is none; retries forever with backoff while the control plane is away. */
    NodeIdentity awaitIdentity() throws InterruptedException {
        NodeIdentity known = current.get();
        if (known != null) {
            return known;
        }
        synchronized (registering) {
            known = current.get();
            if (known != null) {
                return known;
            }
            Optional<NodeIdentity> stored = store.load();
            if (stored.isPresent()) {
                current.set(stored.get());
                log.info("node {} (from {})", stored.get().nodeId(), "node.json");
                return stored.get();
            }
            Backoff backoff = new Backoff(RETRY_INITIAL, RETRY_MAX);
            while (true) {
                try {
                    RegisterNodeResponse response = client.register(request());
                    NodeIdentity identity = new NodeIdentity(response.nodeId(), response.credential());
                    synchronized (file) {
                        store.save(identity);
                        current.set(identity);
                    }
                    log.info("registered with the control plane as node {} ({})", identity.nodeId(), settings.nodeName());
                    return identity;
                } catch (ControlPlaneException.CredentialRejected e) {
                    log.error("the control plane rejected the bootstrap token; check STRATUS_AGENT_BOOTSTRAP_TOKEN "
                            + "(retrying, attempt {}): {}", backoff.failures() + 1, e.getMessage());
                } catch (ControlPlaneException e) {
                    log.warn("cannot register yet (attempt {}): {}", backoff.failures() + 1, e.getMessage());
                }
                backoff.pause();
            }
        }
    }

    /** The identity if the node has one now; never blocks. */
    Optional<NodeIdentity> current() {
        return Optional.ofNullable(current.get());
    }

    /** The control plane said 401 to {@code rejected}: drop it (once, whoever noticed first) and its file. */
    void forget(NodeIdentity rejected) {
        synchronized (file) {
            if (current.compareAndSet(rejected, null)) {
                store.delete();
                log.warn("the control plane rejected the credential of node {}; registering again", rejected.nodeId());
            }
        }
    }

    private RegisterNodeRequest request() {
        return new RegisterNodeRequest(settings.nodeName(), settings.address(), settings.zone(), settings.capacityCu(),
                releases.available().stream().map(PostgresRelease::version).toList(), settings.frontDoor().port(),
                settings.labels());
    }
}
