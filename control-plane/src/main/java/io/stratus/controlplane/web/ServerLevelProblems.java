package io.stratus.controlplane.web;

import java.io.IOException;
import org.apache.catalina.Container;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * Problem responses for requests Tomcat refuses before they reach the application: a path with an encoded {@code /}
 * ({@code %2F}), a malformed percent-escape, an illegal character in the request line. Tomcat answers those with its
 * own HTML page, which no controller advice or error controller sees; this report valve answers with the same
 * {@code application/problem+json} every other error has.
 */
@Configuration(proxyBeanMethods = false)
public class ServerLevelProblems {

    @Bean
    TomcatContextCustomizer problemErrorReportValve() {
        return context -> {
            Container host = context.getParent();
            if (host instanceof StandardHost standardHost) {
                standardHost.setErrorReportValveClass(ProblemReportValve.class.getName());
            }
        };
    }

    /** The problem type of a status Tomcat answered on its own: a client's fault is not a server error. */
    static String type(int status) {
        return switch (status) {
            case 400 -> "malformed-request";
            case 413 -> "request-too-large";
            case 414 -> "uri-too-long";
            case 431 -> "headers-too-large";
            default -> status < 500 ? "invalid-request" : "server-error";
        };
    }

    /** Tomcat's last-resort error report, as a problem. Instantiated by Tomcat, hence public. */
    public static class ProblemReportValve extends ErrorReportValve {

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            HttpStatus known = HttpStatus.resolve(status);
            String title = known == null ? "Error" : known.getReasonPhrase();
            String detail = status == 400
                    ? "the request was refused by the HTTP server before it reached the API: a malformed URL (an encoded"
                    + " '/' or an invalid percent-escape in the path), or a request line or headers malformed or too large"
                    : title;
            try {
                response.resetBuffer();
                Problems.write(response, status, type(status), title, detail);
                response.finishResponse();
            } catch (IOException | IllegalStateException ex) {
                // The client went away or the response was committed meanwhile: nothing left to tell it.
            }
        }
    }
}
