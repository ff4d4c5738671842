package io.stratus.agent.computes;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Ports of the compute range that something else on the host holds, read from the kernel's socket tables
 * ({@code /proc/net/tcp} and {@code tcp6}). A compute's port is allocated by the control plane, which cannot see the
 * host: a listener, or an outgoing connection whose ephemeral local port falls in the compute range (Linux's default
 * ephemeral range, 32768-60999, covers the default compute range), makes the postmaster's bind fail with "address
 * already in use" until it goes away. The agent reports these ports so that new computes are placed around them.
 *
 * <p>A socket in TIME_WAIT counts: Postgres binds with {@code SO_REUSEADDR}, but Linux lets that bind through a
 * TIME_WAIT socket only if that socket had the option too, and ordinary client sockets do not (a closed outgoing
 * connection holds its port for about a minute). Only CLOSE, a socket on its way out, does not count. The ports of the
 * agent's own computes are left out by the caller (their postmasters listen there, and every accepted connection
 * has that local port too).
 */
public final class BusyPorts {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** Kernel TCP state (include/net/tcp_states.h) that does not block a bind. */
    private static final String CLOSE = "07";

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
     * The ports in range held by a socket, apart from {@code ownPorts} (those of the agent's own computes),
     * ascending. A table that cannot be read (not Linux, or no IPv6) adds nothing.
     */
    public List<Integer> scan(Collection<Integer> ownPorts) {
        TreeSet<Integer> busy = new TreeSet<>();
        for (Path table : tables) {
            // Streamed: every accepted connection to every compute is a line here, megabytes on a busy host.
            try (BufferedReader lines = Files.newBufferedReader(table)) {
                lines.readLine(); // header: "sl local_address rem_address st ...", addresses as HEX_IP:HEX_PORT
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    int port = localPortIfHeld(line);
                    if (port >= portMin && port <= portMax && !ownPorts.contains(port)) {
                        busy.add(port);
                    }
                }
            } catch (IOException e) {
                // Not Linux, or no IPv6: nothing from this table.
            }
        }
        return List.copyOf(busy);
    }

    /** The line's local port, or -1 when the line is malformed or its socket does not hold the port. */
    private static int localPortIfHeld(String line) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 4 || fields[3].equals(CLOSE)) {
            return -1;
        }
        int colon = fields[1].lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(fields[1].substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
