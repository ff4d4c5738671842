package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.MetricsReport;
import io.stratus.protocol.NodeStatus;
import io.stratus.protocol.RegisterNodeRequest;
import io.stratus.protocol.RegisterNodeResponse;
import io.stratus.protocol.Route;
import io.stratus.protocol.UsageAck;
import io.stratus.protocol.UsageReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** The agent's side of {@code /agent/v1}: one method per call, typed failures, no retries (callers own those). */
@Component
class ControlPlaneClient {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(2);
    /** A client waits on a route: better a quick failure it can retry than a hang. */
    private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(5);
    /** How much longer than the server-side wait a long-poll may take before the agent gives up on it. */
    private static final Duration LONG_POLL_GRACE = Duration.ofSeconds(10);
    private static final int MAX_ERROR_BODY = 300;

    private final String baseUrl;
    private final String bootstrapToken;
    private final HttpClient http;
    private final JsonMapper json;

    ControlPlaneClient(AgentSettings settings, HttpClient http, JsonMapper json) {
        this.baseUrl = settings.controlPlaneUrl().toString().replaceAll("/+$", "");
        this.bootstrapToken = settings.bootstrapToken();
        this.http = http;
        this.json = json;
    }

    /** {@code POST /agent/v1/nodes} with the bootstrap token. */
    RegisterNodeResponse register(RegisterNodeRequest request) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> response = send(post("/agent/v1/nodes", bootstrapToken, request));
        expect(response, 200, 201);
        return read(response, RegisterNodeResponse.class);
    }

    /**
     * {@code GET /agent/v1/nodes/{id}/desired-state?after=G&waitSeconds=W}: the desired state once its generation
     * passes {@code after}, or empty when the control plane's wait ran out with nothing new (204).
     */
    Optional<DesiredState> desiredState(NodeIdentity node, long after, Duration wait)
            throws ControlPlaneException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/agent/v1/nodes/" + node.nodeId() + "/desired-state?after=" + after
                        + "&waitSeconds=" + wait.toSeconds()))
                .timeout(wait.plus(LONG_POLL_GRACE))
                .header("Authorization", "Bearer " + node.credential())
                .header("Accept", "application/json")
                .GET().build();
        HttpResponse<byte[]> response = send(request);
        if (response.statusCode() == 204) {
            return Optional.empty();
        }
        expect(response, 200);
        return Optional.of(read(response, DesiredState.class));
    }

    /** {@code POST /agent/v1/nodes/{id}/status}. */
    void reportStatus(NodeIdentity node, NodeStatus status) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> response = send(post("/agent/v1/nodes/" + node.nodeId() + "/status", node.credential(), status));
        expect(response, 200, 202, 204);
    }

    /**
     * {@code POST /agent/v1/nodes/{id}/metrics}, with a short timeout: a sample that cannot be delivered at once is
     * worth nothing a second later.
     */
    void reportMetrics(NodeIdentity node, MetricsReport report) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> response = send(post("/agent/v1/nodes/" + node.nodeId() + "/metrics", node.credential(),
                report, METRICS_TIMEOUT));
        expect(response, 200, 202, 204);
    }

    /**
     * {@code POST /agent/v1/nodes/{id}/usage}: spooled usage records, answered with how far they are stored. Anything
     * but a 200 with an acknowledgement is a failure, and the records are sent again.
     */
    UsageAck reportUsage(NodeIdentity node, UsageReport report) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> response = send(post("/agent/v1/nodes/" + node.nodeId() + "/usage", node.credential(),
                report));
        expect(response, 200);
        UsageAck ack = read(response, UsageAck.class);
        if (ack == null) {
            throw new ControlPlaneException("POST " + response.request().uri().getPath() + " answered without an ack");
        }
        return ack;
    }

    /**
     * {@code GET /agent/v1/nodes/{id}/routes/{endpoint}}, or with {@code wake} its {@code POST .../wake}; empty for an
     * endpoint the control plane does not know (404).
     */
    Optional<Route> route(NodeIdentity node, String endpoint, boolean wake)
            throws ControlPlaneException, InterruptedException {
        String path = "/agent/v1/nodes/" + node.nodeId() + "/routes/" + endpoint + (wake ? "/wake" : "");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(ROUTE_TIMEOUT)
                .header("Authorization", "Bearer " + node.credential())
                .header("Accept", "application/json");
        HttpResponse<byte[]> response = send((wake ? request.POST(HttpRequest.BodyPublishers.noBody()) : request.GET())
                .build());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        expect(response, 200);
        return Optional.of(read(response, Route.class));
    }

    private HttpRequest post(String path, String token, Object body) throws ControlPlaneException {
        return post(path, token, body, REQUEST_TIMEOUT);
    }

    private HttpRequest post(String path, String token, Object body, Duration timeout) throws ControlPlaneException {
        try {
            return HttpRequest.newBuilder(uri(path))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                    .build();
        } catch (JacksonException e) {
            throw new ControlPlaneException("cannot encode " + body.getClass().getSimpleName(), e);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws ControlPlaneException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ControlPlaneException("control plane at " + baseUrl + " unreachable (" + request.method() + " "
                    + request.uri().getPath() + "): " + e, e);
        }
    }

    private static void expect(HttpResponse<byte[]> response, int... ok) throws ControlPlaneException {
        int code = response.statusCode();
        for (int c : ok) {
            if (c == code) {
                return;
            }
        }
        String body = new String(response.body(), StandardCharsets.UTF_8);
        String what = response.request().method() + " " + response.request().uri().getPath() + " answered " + code
                + (body.isBlank() ? "" : ": " + body.substring(0, Math.min(body.length(), MAX_ERROR_BODY)));
        if (code == 401) {
            throw new ControlPlaneException.CredentialRejected(what);
        }
        throw new ControlPlaneException(what);
    }

    private <T> T read(HttpResponse<byte[]> response, Class<T> type) throws ControlPlaneException {
        try {
            return json.readValue(response.body(), type);
        } catch (JacksonException e) {
            throw new ControlPlaneException("cannot read " + type.getSimpleName() + " from " + response.request().uri().getPath()
                    + ": " + e.getOriginalMessage(), e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }
}
