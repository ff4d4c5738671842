package io.stratus.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** What a process listens on, as the kernel sees it: for tests that a compute has no TCP port. */
public final class Listeners {

    private Listeners() {
    }

    /** The TCP ports {@code pid} listens on: its socket inodes matched against the LISTEN rows of /proc/net/tcp*. */
    public static List<Integer> tcpPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring(8, link.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        if (inodes.isEmpty()) {
            throw new IllegalStateException("process " + pid + " holds no socket at all: nothing to look at");
        }
        List<Integer> ports = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path t = Path.of(table);
            if (Files.exists(t)) {
                for (String line : Files.readAllLines(t).stream().skip(1).toList()) {
                    String[] f = line.trim().split("\\s+");
                    // local_address is hex ip:port; st 0A is LISTEN; the tenth field is the inode.
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                        ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                    }
                }
            }
        }
        return ports;
    }
}
