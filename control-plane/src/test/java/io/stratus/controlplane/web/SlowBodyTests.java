package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attack pass's slow-body attack (issue #23): connections that announce a body and send it a few bytes at a time
 * must not hold the threads every other client needs.
 */
class SlowBodyTests extends ControlPlaneTest {

    private static final int ATTACKERS = 260;

    @Test
    void slowBodiesFromManyConnectionsDoNotStarveOtherClients() throws Exception {
        TestTenant t = newTenant();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < ATTACKERS; i++) {
                Socket s = new Socket("127.0.0.1", port);
                OutputStream out = s.getOutputStream();
                String path = i % 2 == 0 ? "/v1/databases" : "/v1/tenants";
                String auth = i % 3 == 0 ? "Authorization: Bearer " + t.adminKey() + "\r\n" : "";
                out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + auth
                        + "Content-Length: 1000\r\n\r\n{\"na").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                held.add(s);
            }
            Thread.sleep(1000);
            for (Socket s : held) {
                s.getOutputStream().write('m'); // a byte now and then keeps a read alive
                s.getOutputStream().flush();
            }

            long started = System.nanoTime();
            var r = api().get(t.readKey(), "/v1/databases");
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(r.status()).isEqualTo(200);
            assertThat(took).as("answered while %d slow bodies are held", ATTACKERS).isLessThan(Duration.ofSeconds(2));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
