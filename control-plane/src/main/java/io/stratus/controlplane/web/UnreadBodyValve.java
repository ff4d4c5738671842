package io.stratus.controlplane.web;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * After an answer given without reading the request's whole body (a 401, 403, 413 or 429 decided from the headers),
 * the connection is closed instead of the rest of the body being read and thrown away. Tomcat would otherwise "swallow"
 * it on the same servlet thread, blocking on a client that sends a byte now and then: an attack pass held every
 * thread that way with 220 unauthenticated connections announcing 1000 bytes and sending a few (ADR 0014).
 */
final class UnreadBodyValve extends ValveBase {

    UnreadBodyValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        try {
            getNext().invoke(request, response);
        } finally {
            if (!request.isAsyncStarted() && announcesBody(request) && !request.getCoyoteRequest().isFinished()) {
                // Tomcat's own way for a rejected upload: no swallowing, and the connection closes after the answer.
                request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
                if (!response.isCommitted()) {
                    // Said in the answer, so that a client does not send its next request on a connection about to
                    // close (the JDK's HttpClient did, and got no answer at all).
                    response.setHeader("Connection", "close");
                }
            }
        }
    }

    private static boolean announcesBody(Request request) {
        return request.getContentLengthLong() > 0 || "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding"));
    }

    /** Puts the valve in front of everything on the embedded Tomcat. */
    @Component
    static class Installer implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {
        @Override
        public void customize(ConfigurableTomcatWebServerFactory factory) {
            factory.addEngineValves(new UnreadBodyValve());
        }
    }
}
