package io.stratus.agent.frontdoor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The front door's settings, {@code stratus.agent.front-door.*} ({@code STRATUS_AGENT_FRONT_DOOR_PORT}, ...).
 *
 * @param port             where clients (and other nodes' front doors) connect; default 6432
 * @param bindAddress      the interface to listen on; default the agent's {@code address}
 * @param tlsCertificate   PEM certificate (chain) to terminate TLS with; TLS is off without it
 * @param tlsKey           its PEM (PKCS#8) private key
 * @param tlsRequired      refuse clients that do not ask for TLS (a startup without SSLRequest); default false
 * @param serverNameSuffix TLS clients whose server name is {@code <endpoint>.<suffix>} are routed by it (SNI), whatever
 *                         database name they send; optional
 * @param wakeTimeout      how long a connection waits for a suspended (or still provisioning) database to come up
 *                         before it gets a 57P03 error; default 30s
 * @param shutdownGrace    how long a stopping front door lets open sessions finish before it ends them with a
 *                         57P01 error; default 10s
 * @param ioThreads        event-loop threads relaying bytes; 0 (default) for one per two cores the JVM sees (at least
 *                         one): the relay shares the host with the computes and the clients' own processes, and on
 *                         two cores one loop relayed 20 % more than two (docs/benchmarks.md)
 * @param metering         count requests, rows and bytes on the wire for billing (default true); off only to measure
 *                         what metering costs (docs/benchmarks.md): computes do not count statements themselves
 */
public record FrontDoorSettings(
        @DefaultValue("6432") int port,
        String bindAddress,
        Path tlsCertificate,
        Path tlsKey,
        @DefaultValue("false") boolean tlsRequired,
        String serverNameSuffix,
        @DefaultValue("30s") Duration wakeTimeout,
        @DefaultValue("10s") Duration shutdownGrace,
        @DefaultValue("0") int ioThreads,
        @DefaultValue("true") boolean metering) {

    public FrontDoorSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("front-door.port must be 0-65535, not " + port);
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("front-door.tls-certificate and front-door.tls-key go together");
        }
        if (tlsCertificate != null && (!Files.isReadable(tlsCertificate) || !Files.isReadable(tlsKey))) {
            throw new IllegalArgumentException("front-door TLS files are not readable: " + tlsCertificate + ", " + tlsKey);
        }
        if (tlsRequired && tlsCertificate == null) {
            throw new IllegalArgumentException("front-door.tls-required needs front-door.tls-certificate and tls-key");
        }
        serverNameSuffix = serverNameSuffix == null || serverNameSuffix.isBlank() ? null
                : serverNameSuffix.replaceFirst("^\\.", "");
        if (wakeTimeout == null || wakeTimeout.isNegative() || wakeTimeout.isZero()) {
            throw new IllegalArgumentException("front-door.wake-timeout must be positive");
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("front-door.shutdown-grace must not be negative");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("front-door.io-threads must not be negative");
        }
    }

    /** The defaults: what binding an empty {@code stratus.agent.front-door} gives. */
    public static FrontDoorSettings defaults() {
        return new FrontDoorSettings(6432, null, null, null, false, null, Duration.ofSeconds(30), Duration.ofSeconds(10), 0, true);
    }

    /** The event-loop threads to run. */
    public int eventLoops() {
        return ioThreads > 0 ? ioThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public boolean tls() {
        return tlsCertificate != null;
    }
}
