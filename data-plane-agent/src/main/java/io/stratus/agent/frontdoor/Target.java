package io.stratus.agent.frontdoor;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Where one connection goes: the compute's Unix socket on this node ({@code socket}), or the front door of the node
 * that holds it ({@code remote}), with the startup message to send there.
 */
record Target(UUID databaseId, String endpoint, Path socket, InetSocketAddress remote, StartupMessage startup) {

    static Target local(UUID databaseId, String endpoint, Path socket, StartupMessage startup) {
        return new Target(databaseId, endpoint, socket, null, startup);
    }

    static Target remote(UUID databaseId, String endpoint, InetSocketAddress remote, StartupMessage startup) {
        return new Target(databaseId, endpoint, null, remote, startup);
    }

    boolean isLocal() {
        return socket != null;
    }

    @Override
    public String toString() {
        return isLocal() ? "compute " + databaseId + " at " + socket : "node front door " + remote;
    }
}
