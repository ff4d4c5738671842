package io.stratus.e2e;

import static org.awaitility.Awaitility.await;

import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.ReleaseLocator;
import io.stratus.testing.ApiClient;
import io.stratus.testing.PostgresHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The control plane and one agent, each run from its executable jar as a separate OS process, so tests can kill -9
 * either and start it again on the same state. The metadata database comes from the test harness.
 */
final class StratusProcesses implements AutoCloseable {

    static final String OPERATOR_KEY = "stk_e2e-operator-key-0123456789abcdefghijklmnopq";
    static final String BOOTSTRAP = "sbt_e2e-bootstrap-token";

    private final Path dir;
    private final Path agentDataDir;
    private final int httpPort = PostgresCluster.freePort();
    private final int frontDoorPort = PostgresCluster.freePort();
    private final PostgresHarness.TestDatabase metadata = PostgresHarness.newDatabase();
    private final String nodeName = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    private Process controlPlane;
    private Process agent;
    private int starts;
    private final Map<String, String> extraControlPlaneEnv = new HashMap<>();
    private final Map<String, String> extraAgentEnv = new HashMap<>();

    StratusProcesses() {
        try {
            // Not Files.createTempDirectory: its 0700 would keep the postgres user out.
            dir = Path.of("/tmp", "stratus-e2e-" + UUID.randomUUID().toString().substring(0, 8));
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            agentDataDir = dir.resolve("agent");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Extra settings for the control plane, e.g. a short downscale window for tests. */
    StratusProcesses withControlPlaneEnv(String name, String value) {
        extraControlPlaneEnv.put(name, value);
        return this;
    }

    /** Extra settings for the agent, e.g. a short usage interval for tests. */
    StratusProcesses withAgentEnv(String name, String value) {
        extraAgentEnv.put(name, value);
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    ApiClient api() {
        return new ApiClient(baseUrl());
    }

    /** The control plane's metadata database, for benchmarks that compare against raw JDBC on the same database. */
    PostgresHarness.TestDatabase metadata() {
        return metadata;
    }

    /** Where the agent's front door listens: every database's connection URI names it. */
    int frontDoorPort() {
        return frontDoorPort;
    }

    /** The stack's own directory (control plane and agent data, and whatever a test keeps with them). */
    Path dir() {
        return dir;
    }

    Path agentDataDir() {
        return agentDataDir;
    }

    Path logs() {
        return Path.of("target", "e2e-logs").toAbsolutePath();
    }

    /** This stack's log files (its control plane's and agents', every start). */
    List<Path> logFiles() throws IOException {
        try (Stream<Path> all = Files.list(logs())) {
            return all.filter(p -> p.getFileName().toString().startsWith(nodeName + "-")).sorted().toList();
        }
    }

    /** The control plane, then an agent registered with it: a whole stack, ready for databases. */
    StratusProcesses start() {
        startControlPlane();
        startAgent();
        return this;
    }

    void startControlPlane() {
        Map<String, String> env = new HashMap<>();
        env.put("STRATUS_HTTP_PORT", String.valueOf(httpPort));
        env.put("STRATUS_DATA_DIR", dir.resolve("control-plane").toString());
        env.put("STRATUS_OPERATOR_KEY", OPERATOR_KEY);
        env.put("STRATUS_AGENT_BOOTSTRAP_TOKEN", BOOTSTRAP);
        env.put("STRATUS_DB_URL", metadata.jdbcUrl());
        env.put("STRATUS_DB_USER", metadata.user());
        env.put("STRATUS_DB_PASSWORD", metadata.password());
        env.put("STRATUS_FRONT_DOOR_PORT", String.valueOf(frontDoorPort));
        env.putAll(extraControlPlaneEnv);
        controlPlane = start(System.getProperty("stratus.controlPlaneJar"), env, "control-plane");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(this::healthy);
    }

    void startAgent() {
        Map<String, String> env = new HashMap<>();
        env.put("STRATUS_AGENT_CONTROL_PLANE_URL", baseUrl());
        env.put("STRATUS_AGENT_BOOTSTRAP_TOKEN", BOOTSTRAP);
        env.put("STRATUS_AGENT_DATA_DIR", agentDataDir.toString());
        env.put("STRATUS_AGENT_NODE_NAME", nodeName);
        env.put("STRATUS_AGENT_FRONT_DOOR_PORT", String.valueOf(frontDoorPort));
        env.put("STRATUS_AGENT_WARM_POOL_SIZE", "2");
        env.putAll(extraAgentEnv);
        agent = start(System.getProperty("stratus.agentJar"), env, "agent");
        // Its front door opens once the computes on disk are adopted: from then on it serves them.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(this::frontDoorOpen);
        // Registered and heartbeating: from here on new databases are placed on this node at once.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            var nodes = api().get(OPERATOR_KEY, "/v1/admin/nodes");
            if (nodes.status() != 200) {
                return false;
            }
            for (var n : nodes.json()) {
                if (n.get("name").asString().equals(nodeName) && n.get("state").asString().equals("READY")
                        && n.get("observedGeneration").asLong() > 0) {
                    return true;
                }
            }
            return false;
        });
    }

    /** The agent's process id (its memory is the front door's, for one). */
    long agentPid() {
        return agent.pid();
    }

    /** kill -9: no shutdown hooks, no cleanup; the processes' children (postmasters) live on. */
    void killControlPlane() throws InterruptedException {
        controlPlane.destroyForcibly().waitFor();
    }

    void killAgent() throws InterruptedException {
        agent.destroyForcibly().waitFor();
    }

    /** A SIGTERM, as Ctrl-C or an orchestrator sends. */
    void stopAgent() throws InterruptedException {
        agent.destroy();
        agent.waitFor();
    }

    private boolean frontDoorOpen() {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", frontDoorPort), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    boolean healthy() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Tests start the JVMs for a quick start (C1 only); a benchmark of the agent's hot paths (the front door's relay)
     * wants the optimising compiler, as a deployment has it.
     */
    StratusProcesses withAgentFullyCompiled() {
        agentJvm = List.of("-XX:+UseSerialGC", "-Xss512k");
        return this;
    }

    private List<String> agentJvm = QUICK_START;
    private static final List<String> QUICK_START = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");

    private Process start(String jar, Map<String, String> env, String name) {
        try {
            Files.createDirectories(logs());
            Path log = logs().resolve(nodeName + "-" + name + "-" + (++starts) + ".log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(name.equals("agent") ? agentJvm : QUICK_START);
            cmd.addAll(List.of("-jar", jar));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops both processes and every compute left on disk (after a kill -9 their postmasters still run). */
    @Override
    public void close() throws Exception {
        if (agent != null && agent.isAlive()) {
            stopAgent();
        }
        if (controlPlane != null && controlPlane.isAlive()) {
            controlPlane.destroy();
            controlPlane.waitFor();
        }
        Path computes = agentDataDir.resolve("computes");
        if (Files.isDirectory(computes)) {
            try (Stream<Path> all = Files.list(computes)) {
                for (Path c : all.toList()) {
                    Path pgdata = c.resolve("pgdata");
                    if (Files.exists(pgdata.resolve("PG_VERSION"))) {
                        String major = Files.readString(pgdata.resolve("PG_VERSION")).trim();
                        new ReleaseLocator(List.of(), agentDataDir.resolve("releases")).find(major).ifPresent(release ->
                                new PostgresCluster(release, pgdata, OsUser.forPostgres("postgres")).stop());
                    }
                    removeCgroups(c.getFileName().toString());
                }
            }
        }
        PostgresCluster.deleteRecursively(dir);
    }

    /** The agent keeps a compute's cgroups while the compute exists; once its postmaster is stopped they can go. */
    private static void removeCgroups(String computeId) {
        for (String controller : List.of("cpu", "cpuacct", "memory", "unified")) {
            try {
                // rmdir of an empty cgroup; cgroupfs forbids deleting its files, so the directory is all there is.
                Files.deleteIfExists(Path.of("/sys/fs/cgroup", controller, "stratus", computeId));
            } catch (IOException e) {
                // Not a cgroup v1 host, or a process still inside: nothing more a test can do.
            }
        }
        try {
            Files.deleteIfExists(Path.of("/sys/fs/cgroup", "stratus", computeId));
        } catch (IOException e) {
            // Not a cgroup v2 host.
        }
    }
}
