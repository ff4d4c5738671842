package io.stratus.agent.computes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Ports of the compute range that something else on the host holds, read from the kernel's socket tables
 * ({@code /proc/net/tcp} and {@code tcp6}). A compute's port is allocated by the control plane, which cannot see the
 * host: a listener, or an outgoing connection whose ephemeral local port falls in the compute range (Linux's default
 * ephemeral range, 32768-60999, covers the default compute range), makes the postmaster's bind fail with "address
 * already in use" until it goes away. The agent reports these ports so that new computes are placed around them.
 *
 * <p>A socket in TIME_WAIT or CLOSE does not count: Postgres binds with {@code SO_REUSEADDR}, which the kernel lets
 * through those. The ports of the agent's own computes are left out (their postmasters listen there, and every
 * accepted connection has that local port too).
 */
public final class BusyPorts {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** Kernel TCP states (include/net/tcp_states.h) that do not block a bind with SO_REUSEADDR. */
    private static final Set<String> NOT_BLOCKING = Set.of("06", "07"); // TIME_WAIT, CLOSE

    private final List<Path> tables;
    private final int portMin;
    private final int portMax;

    public BusyPorts(int portMin, int portMax) {
        this(TABLES, portMin, portMax);
    }

    BusyPorts(List<Path> tables, int portMin, int portMax) {
        this.tables = List.copyOf(tables);
        this.portMin = portMin;
        this.portMax = portMax;
    }

    /**
     * The ports in range held by a socket, apart from {@code ownPorts}, ascending. A table that cannot be read (not
     * Linux, or no IPv6) adds nothing: the answer is then what the other shows, possibly nothing.
     */
    public List<Integer> scan(Collection<Integer> ownPorts) {
        TreeSet<Integer> busy = new TreeSet<>();
        for (Path table : tables) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            // Header first; then "sl local_address rem_address st ...", addresses as HEX_IP:HEX_PORT.
            for (int i = 1; i < lines.size(); i++) {
                String[] fields = lines.get(i).trim().split("\\s+");
                if (fields.length < 4 || NOT_BLOCKING.contains(fields[3])) {
                    continue;
                }
                int colon = fields[1].lastIndexOf(':');
                if (colon < 0) {
                    continue;
                }
                int port;
                try {
                    port = Integer.parseInt(fields[1].substring(colon + 1), 16);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (port >= portMin && port <= portMax && !ownPorts.contains(port)) {
                    busy.add(port);
                }
            }
        }
        return List.copyOf(busy);
    }
}
