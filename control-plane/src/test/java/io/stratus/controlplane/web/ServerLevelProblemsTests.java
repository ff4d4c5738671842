package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Requests Tomcat refuses before the application sees them still get a problem, never Tomcat's HTML page. */
class ServerLevelProblemsTests extends ControlPlaneTest {

    @Test
    void anEncodedSlashOrABrokenEscapeInThePathIsAProblemNotAnHtmlPage() throws IOException {
        for (String path : new String[] {"/v1/databases/a%2Fb", "/v1/databases/%zz"}) {
            String response = rawGet(path);
            assertThat(response).as(path).startsWith("HTTP/1.1 400");
            assertThat(response).as(path).containsIgnoringCase("content-type: application/problem+json")
                    .contains("\"status\":400").contains("malformed URL").doesNotContain("<html");
        }
    }

    @Test
    void aRequestTooLargeForTheServerIsTheClientsProblemNotAServerError() throws IOException {
        String response = rawGet("/v1/databases", "X-Padding: " + "a".repeat(64 * 1024) + "\r\n");

        // Tomcat refuses it with a 400 of its own.
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).containsIgnoringCase("content-type: application/problem+json").contains("too large")
                .doesNotContain("server-error").doesNotContain("<html");
    }

    // TRACE is refused by the server (it would echo the Authorization header back); the refusal is a problem too.
    @Test
    void aTraceRequestIsRefusedWithAProblem() throws IOException {
        String response = raw("TRACE", "/v1/databases", "");

        assertThat(response).startsWith("HTTP/1.1 405");
        assertThat(response).containsIgnoringCase("content-type: application/problem+json").contains("\"status\":405")
                .doesNotContain(OPERATOR_KEY).doesNotContain("<html");
        assertThat(response).containsIgnoringCase("cache-control: no-store")
                .containsIgnoringCase("x-content-type-options: nosniff");
    }

    private String rawGet(String path) throws IOException {
        return rawGet(path, "");
    }

    private String rawGet(String path, String extraHeaders) throws IOException {
        return raw("GET", path, extraHeaders);
    }

    /** Over a socket, since an HTTP client would refuse (or re-encode) these paths before sending them. */
    private String raw(String method, String path, String extraHeaders) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + OPERATOR_KEY
                    + "\r\n" + extraHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
