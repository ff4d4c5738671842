package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusyPortsTests {

    @Test
    void findsAListenerAndAnOutgoingConnectionsLocalPortInTheKernelsTables() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 1, loopback);
             Socket client = new Socket(loopback, listener.getLocalPort());
             Socket accepted = listener.accept()) {
            int listening = listener.getLocalPort();
            int outgoing = client.getLocalPort();

            assertThat(new BusyPorts(listening, listening).scan(Set.of())).containsExactly(listening);
            assertThat(new BusyPorts(outgoing, outgoing).scan(Set.of())).containsExactly(outgoing);
            assertThat(new BusyPorts(listening, listening).scan(Set.of(listening)))
                    .as("a compute's own port is not busy to it").isEmpty();
        }
    }

    @Test
    void aClosedOutgoingConnectionStillHoldsItsPort() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int outgoing;
        try (ServerSocket listener = new ServerSocket(0, 1, loopback)) {
            Socket client = new Socket(loopback, listener.getLocalPort());
            try (Socket accepted = listener.accept()) {
                outgoing = client.getLocalPort();
                client.close(); // the side that closes first waits in TIME_WAIT, its port unbindable without SO_REUSEADDR
            }
        }

        assertThat(new BusyPorts(outgoing, outgoing).scan(Set.of())).containsExactly(outgoing);
    }

    @Test
    void aPortIsFreeAgainOnceItsSocketsAreGone() throws Exception {
        int port;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = listener.getLocalPort();
            assertThat(new BusyPorts(port, port).scan(Set.of())).containsExactly(port);
        }

        assertThat(new BusyPorts(port, port).scan(Set.of())).isEmpty();
    }

    @Test
    void countsEveryStateButCloseAndOnlyPortsInTheRange(@TempDir Path dir) throws Exception {
        Path tcp = dir.resolve("tcp");
        Files.writeString(tcp, """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:DAC0 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 1 1
                   1: 0100007F:DAC1 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 2 1
                   2: 0100007F:DAC2 0100007F:1538 06 00000000:00000000 03:00000fa0 00000000     0        0 0 3
                   3: 0100007F:DAC3 0100007F:1538 07 00000000:00000000 00:00000000 00000000     0        0 0 3
                   4: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 4 1
                """);
        Path tcp6 = dir.resolve("tcp6");
        Files.writeString(tcp6, """
                  sl  local_address                         remote_address                        st tx_queue rx_queue
                   0: 00000000000000000000000001000000:DAC4 00000000000000000000000000000000:0000 0A 00000000:00000000
                """);

        // 0xDAC0 = 56000: listening (0A), established (01), TIME_WAIT (06), CLOSE (07), IPv6 listening; 0x1538 = 5432.
        List<Integer> busy = new BusyPorts(List.of(tcp, tcp6, dir.resolve("missing")), 56000, 56010).scan(Set.of());

        assertThat(busy).containsExactly(56000, 56001, 56002, 56004);
    }
}
