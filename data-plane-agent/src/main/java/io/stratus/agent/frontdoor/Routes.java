package io.stratus.agent.frontdoor;

import io.stratus.protocol.Route;
import java.util.Optional;
import java.util.UUID;

/** The control plane as the front door asks it: where an endpoint leads, and to wake a suspended database. */
public interface Routes {

    /** Empty when no database ever had the endpoint. */
    Optional<Route> lookup(String endpoint) throws RouteUnavailable;

    /** Resumes the endpoint's database if it is suspended (idempotent); its route afterwards. */
    Optional<Route> wake(String endpoint) throws RouteUnavailable;

    /** This node's id in the fleet; empty until the agent has registered. */
    Optional<UUID> nodeId();

    /** The control plane could not be asked (unreachable, or it failed). */
    final class RouteUnavailable extends Exception {
        public RouteUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
