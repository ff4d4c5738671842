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

    // The JDK's HttpClient sent its next request on a connection closed this way and got no answer at all.
    @Test
    void anAnswerGivenBeforeTheBodyWasReadSaysTheConnectionCloses() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"na").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("HTTP/1.1 401");
            List<String> headers = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(headers).contains("connection: close");
        }
    }

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
            // The attack is under way once every unauthenticated connection has had its answer: the server has
            // taken them all up (before the fix, each such thread then stayed on to drain the body).
            for (int i = 0; i < held.size(); i++) {
                if (i % 3 != 0) {
                    assertThat(statusLine(held.get(i))).startsWith("HTTP/1.1 401");
                }
            }
            for (int i = 0; i < held.size(); i += 3) {
                held.get(i).getOutputStream().write('m'); // a byte now and then keeps a read alive
                held.get(i).getOutputStream().flush();
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

    /** The first line of the answer on a connection, waiting for it at most 30 s. */
    private static String statusLine(Socket s) throws java.io.IOException {
        s.setSoTimeout(30_000);
        StringBuilder line = new StringBuilder();
        for (int c = s.getInputStream().read(); c != -1 && c != '\r'; c = s.getInputStream().read()) {
            line.append((char) c);
        }
        return line.toString();
    }
}
