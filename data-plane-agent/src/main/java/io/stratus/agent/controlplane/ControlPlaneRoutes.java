package io.stratus.agent.controlplane;

import io.stratus.agent.frontdoor.Routes;
import io.stratus.protocol.Route;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** {@link Routes} over the agent protocol, with this node's credential. */
@Component
class ControlPlaneRoutes implements Routes {

    private final ControlPlaneClient client;
    private final NodeRegistration registration;

    ControlPlaneRoutes(ControlPlaneClient client, NodeRegistration registration) {
        this.client = client;
        this.registration = registration;
    }

    @Override
    public Optional<Route> lookup(String endpoint) throws RouteUnavailable {
        return call(endpoint, false);
    }

    @Override
    public Optional<Route> wake(String endpoint) throws RouteUnavailable {
        return call(endpoint, true);
    }

    @Override
    public Optional<UUID> nodeId() {
        return registration.current().map(NodeIdentity::nodeId);
    }

    private Optional<Route> call(String endpoint, boolean wake) throws RouteUnavailable {
        NodeIdentity node = registration.current()
                .orElseThrow(() -> new RouteUnavailable("the agent has not registered yet", null));
        try {
            return client.route(node, endpoint, wake);
        } catch (ControlPlaneException e) {
            throw new RouteUnavailable(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RouteUnavailable("interrupted", e);
        }
    }
}
