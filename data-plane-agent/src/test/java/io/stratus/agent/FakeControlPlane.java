package io.stratus.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.MetricsReport;
import io.stratus.protocol.NodeStatus;
import io.stratus.protocol.RegisterNodeRequest;
import io.stratus.protocol.RegisterNodeResponse;
import io.stratus.protocol.UsageAck;
import io.stratus.protocol.UsageReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane's side of {@code /agent/v1}, as the protocol describes it, in memory: enough to drive a real agent
 * through registration, long-polled desired state, status reports and metrics.
 */
public final class FakeControlPlane implements AutoCloseable {

    public static final String BOOTSTRAP_TOKEN = "test-bootstrap-token";
    private static final Pattern NODE_PATH = Pattern.compile("/agent/v1/nodes/([0-9a-f-]{36})/(desired-state|status|metrics|usage)");

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final UUID nodeId = UUID.randomUUID();
    private final Object changed = new Object();
    private volatile String credential;
    private volatile DesiredState desired;

    public final List<RegisterNodeRequest> registrations = new CopyOnWriteArrayList<>();
    public final List<NodeStatus> statuses = new CopyOnWriteArrayList<>();
    public final List<MetricsReport> metrics = new CopyOnWriteArrayList<>();
    /** Each metrics report's body exactly as the agent sent it. */
    public final List<String> metricsBodies = new CopyOnWriteArrayList<>();
    /** The {@code after} of every desired-state request, in order. */
    public final List<Long> polls = new CopyOnWriteArrayList<>();
    /** Every usage report received, answered or not, in order. */
    public final List<UsageReport> usageReports = new CopyOnWriteArrayList<>();
    /**
     * How a usage report is answered: the seq to acknowledge through (200 with a {@link UsageAck}), or null for a 503.
     * By default everything in it.
     */
    public volatile Function<UsageReport, Long> usageAnswer =
            r -> r.records().isEmpty() ? 0L : r.records().get(r.records().size() - 1).seq();
    /** Answer this many registrations with 503 first, as a control plane that is still starting would. */
    public final AtomicInteger unavailableRegistrations = new AtomicInteger();

    public FakeControlPlane() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/agent/v1/nodes", this::handle);
        server.start();
        desired = new DesiredState(nodeId, 1, List.of());
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public UUID nodeId() {
        return nodeId;
    }

    public String credential() {
        return credential;
    }

    /** Publishes a new desired state, waking any long-poll waiting for it. */
    public void publish(DesiredState state) {
        synchronized (changed) {
            desired = state;
            changed.notifyAll();
        }
    }

    /** Invalidates the node's credential: every call with it gets 401 until the node registers again. */
    public void revokeCredential() {
        credential = "revoked-" + UUID.randomUUID();
    }

    public NodeStatus lastStatus() {
        return statuses.isEmpty() ? null : statuses.get(statuses.size() - 1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (path.equals("/agent/v1/nodes") && exchange.getRequestMethod().equals("POST")) {
                register(exchange, auth);
                return;
            }
            Matcher m = NODE_PATH.matcher(path);
            if (!m.matches() || !UUID.fromString(m.group(1)).equals(nodeId)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!("Bearer " + credential).equals(auth)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (m.group(2).equals("desired-state")) {
                desiredState(exchange);
            } else if (m.group(2).equals("usage")) {
                UsageReport report = json.readValue(exchange.getRequestBody().readAllBytes(), UsageReport.class);
                usageReports.add(report);
                Long through = usageAnswer.apply(report);
                if (through == null) {
                    exchange.sendResponseHeaders(503, -1);
                } else {
                    respond(exchange, 200, new UsageAck(through));
                }
            } else if (m.group(2).equals("metrics")) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                metricsBodies.add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
                metrics.add(json.readValue(body, MetricsReport.class));
                exchange.sendResponseHeaders(204, -1);
            } else {
                statuses.add(json.readValue(exchange.getRequestBody().readAllBytes(), NodeStatus.class));
                exchange.sendResponseHeaders(204, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void register(HttpExchange exchange, String auth) throws IOException {
        if (!("Bearer " + BOOTSTRAP_TOKEN).equals(auth)) {
            exchange.sendResponseHeaders(401, -1);
            return;
        }
        RegisterNodeRequest request = json.readValue(exchange.getRequestBody().readAllBytes(), RegisterNodeRequest.class);
        registrations.add(request);
        if (unavailableRegistrations.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            exchange.sendResponseHeaders(503, -1);
            return;
        }
        credential = "cred-" + UUID.randomUUID();
        respond(exchange, 201, new RegisterNodeResponse(nodeId, credential));
    }

    private void desiredState(HttpExchange exchange) throws IOException, InterruptedException {
        Map<String, String> query = query(exchange.getRequestURI());
        long after = Long.parseLong(query.get("after"));
        long waitMillis = Long.parseLong(query.get("waitSeconds")) * 1000;
        polls.add(after);
        long deadline = System.currentTimeMillis() + waitMillis;
        synchronized (changed) {
            while (desired.generation() <= after && System.currentTimeMillis() < deadline) {
                changed.wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
        DesiredState state = desired;
        if (state.generation() <= after) {
            exchange.sendResponseHeaders(204, -1);
        } else {
            respond(exchange, 200, state);
        }
    }

    private void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(URI uri) {
        return java.util.Arrays.stream(uri.getQuery().split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> p[1]));
    }
}
