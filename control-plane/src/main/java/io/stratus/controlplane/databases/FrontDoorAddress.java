package io.stratus.controlplane.databases;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where clients reach the front doors, {@code stratus.front-door.*}: the one address every connection URI names
 * (a load balancer or Service in front of the agents' front doors, or the local agent's).
 *
 * @param host             host name or address clients connect to
 * @param port             its port
 * @param serverNameSuffix when set (e.g. {@code db.example.com}, with a wildcard DNS record and certificate for it), URIs
 *                         name {@code <endpoint>.<suffix>} as their host, so TLS clients route by SNI
 * @param sslMode          when set (e.g. {@code require}), added to URIs as {@code sslmode}: the front doors refuse
 *                         plaintext
 */
@ConfigurationProperties("stratus.front-door")
public record FrontDoorAddress(@DefaultValue("127.0.0.1") String host, @DefaultValue("6432") int port,
                               String serverNameSuffix, String sslMode) {

    public FrontDoorAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("stratus.front-door.host must be set");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("stratus.front-door.port must be 1-65535, not " + port);
        }
        serverNameSuffix = serverNameSuffix == null || serverNameSuffix.isBlank() ? null
                : serverNameSuffix.replaceFirst("^\\.", "");
        sslMode = sslMode == null || sslMode.isBlank() ? null : sslMode;
    }

    /** The host a client of {@code endpoint} connects to. */
    String hostFor(String endpoint) {
        return serverNameSuffix == null ? host : endpoint + "." + serverNameSuffix;
    }
}
