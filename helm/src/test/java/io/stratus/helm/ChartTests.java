package io.stratus.helm;

import static io.stratus.helm.RenderedChart.container;
import static io.stratus.helm.RenderedChart.list;
import static io.stratus.helm.RenderedChart.map;
import static io.stratus.helm.RenderedChart.podSpec;
import static io.stratus.helm.RenderedChart.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.frontdoor.FrontDoorSettings;
import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.autoscaling.AutoscalingSettings;
import io.stratus.controlplane.databases.FrontDoorAddress;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes chart, rendered by Helm's own library and checked against the apps it deploys: every setting it
 * passes is one the app reads and accepts, the pieces find each other, and values that could not work are refused at
 * install time.
 */
class ChartTests {

    private static final String CONTROL_PLANE = "prod-stratus-control-plane";
    private static final String AGENT = "prod-stratus-agent";
    private static final String FRONT_DOOR = "prod-stratus-front-door";
    private static final AppSettings CONTROL_PLANE_SETTINGS = AppSettings.of("io.stratus.controlplane", "application.yml");
    private static final AppSettings AGENT_SETTINGS = AppSettings.of("io.stratus.agent", null);
    private static FakeKubernetesApi cluster;

    @BeforeAll
    static void startCluster() {
        cluster = FakeKubernetesApi.start();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @BeforeEach
    void emptyCluster() {
        cluster.clear();
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void everyVariableTheChartSetsIsOneItsAppReads() {
        // The settings the chart sets only when asked for are checked too.
        Map<String, Object> values = RenderedChart.minimal();
        values.put("frontDoor.tls.existingSecret", "front-door-cert");
        values.put("frontDoor.tls.required", "true");
        values.put("frontDoor.serverNameSuffix", "db.example.com");
        RenderedChart chart = RenderedChart.render(values);

        Set<String> controlPlane = stratusVariables(chart, chart.get("Deployment", CONTROL_PLANE), "control-plane");
        Set<String> agent = stratusVariables(chart, chart.get("DaemonSet", AGENT), "agent");

        // A misspelt variable is silently ignored by the app: the setting would keep its default.
        assertThat(CONTROL_PLANE_SETTINGS.variables()).containsAll(controlPlane);
        assertThat(AGENT_SETTINGS.variables()).containsAll(agent);
        assertThat(controlPlane).contains("STRATUS_DB_URL", "STRATUS_DB_PASSWORD", "STRATUS_OPERATOR_KEY",
                "STRATUS_AGENT_BOOTSTRAP_TOKEN", "STRATUS_BILLING_EXPORT_DIRECTORY", "STRATUS_FRONT_DOOR_HOST",
                "STRATUS_FRONT_DOOR_PORT", "STRATUS_FRONT_DOOR_SERVER_NAME_SUFFIX", "STRATUS_FRONT_DOOR_SSL_MODE");
        assertThat(agent).contains("STRATUS_AGENT_CONTROL_PLANE_URL", "STRATUS_AGENT_BOOTSTRAP_TOKEN",
                "STRATUS_AGENT_ADDRESS", "STRATUS_AGENT_NODE_NAME", "STRATUS_AGENT_DATA_DIR",
                "STRATUS_AGENT_FRONT_DOOR_PORT", "STRATUS_AGENT_FRONT_DOOR_BIND_ADDRESS",
                "STRATUS_AGENT_FRONT_DOOR_TLS_CERTIFICATE", "STRATUS_AGENT_FRONT_DOOR_TLS_KEY",
                "STRATUS_AGENT_FRONT_DOOR_TLS_REQUIRED", "STRATUS_AGENT_FRONT_DOOR_SERVER_NAME_SUFFIX",
                "STRATUS_AGENT_FRONT_DOOR_WAKE_TIMEOUT", "STRATUS_AGENT_FRONT_DOOR_SHUTDOWN_GRACE");
        // Computes have no ports of their own any more: the front door is the only way in.
        assertThat(agent).doesNotContain("STRATUS_AGENT_PORT_MIN", "STRATUS_AGENT_PORT_MAX");
    }

    @Test
    void theRenderedSettingsPassTheAppsOwnChecks() {
        Map<String, Object> values = RenderedChart.minimal();
        values.put("agent.capacityCu", "16");
        values.put("agent.memoryPerCu", "2GB");
        values.put("controlPlane.maxCu", "4");
        RenderedChart chart = RenderedChart.render(values);
        Map<String, Object> cpEnv = chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane"));
        Map<String, Object> agentEnv = chart.environment(container(chart.get("DaemonSet", AGENT), "agent"));

        Map<String, Object> cp = CONTROL_PLANE_SETTINGS.bind(cpEnv);
        AgentSettings agent = (AgentSettings) AGENT_SETTINGS.bind(agentEnv).get("stratus.agent");

        StratusSettings stratus = (StratusSettings) cp.get("stratus");
        assertThat(stratus.maxCu()).isEqualByComparingTo("4");
        assertThat(agent.capacityCu()).isEqualByComparingTo("16");
        assertThat(agent.nodeName()).isEqualTo("db-host-1");
        assertThat(agent.address()).as("other nodes' front doors relay to the node's address").isEqualTo("10.0.0.7");
        assertThat(agent.dataDir()).isEqualTo(Path.of("/var/lib/stratus/agent"));
        // One CU is worth the same to the autoscaler sizing needs as to the agent enforcing them.
        AutoscalingSettings autoscaling = (AutoscalingSettings) cp.get("stratus.autoscaling");
        assertThat(autoscaling.memoryPerCu()).isEqualTo(agent.memoryPerCu());
        assertThat(BigDecimal.valueOf(autoscaling.cpuPerCu())).isEqualByComparingTo(agent.cpuPerCu());
        assertThat(cpEnv.get("STRATUS_DB_URL")).isEqualTo("jdbc:postgresql://metadata.example:5432/stratus");
        assertThat(cpEnv.get("STRATUS_DB_PASSWORD")).isEqualTo("s3cret-metadata");
        // The front door listens on every address of the node, without TLS unless a certificate is given.
        FrontDoorSettings frontDoor = agent.frontDoor();
        assertThat(frontDoor.port()).isEqualTo(6432);
        assertThat(frontDoor.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(frontDoor.tls()).isFalse();
        assertThat(frontDoor.wakeTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(frontDoor.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        FrontDoorAddress address = (FrontDoorAddress) cp.get("stratus.front-door");
        assertThat(address.host()).isEqualTo(FRONT_DOOR + "." + RenderedChart.NAMESPACE + ".svc");
        assertThat(address.port()).isEqualTo(5432);
        assertThat(address.sslMode()).isNull();
        assertThat(address.serverNameSuffix()).isNull();
    }

    @Test
    void clientsReachEveryAgentsFrontDoorThroughItsService() {
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> service = chart.get("Service", FRONT_DOOR);
        Map<String, Object> daemonSet = chart.get("DaemonSet", AGENT);
        Map<String, Object> agent = container(daemonSet, "agent");
        Map<String, Object> agentEnv = chart.environment(agent);
        Map<String, Object> cpEnv = chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane"));

        // The Service selects the agents' pods, and only them.
        assertThat(map(service, "spec", "selector")).isEqualTo(map(daemonSet, "spec", "selector", "matchLabels"));
        assertThat(map(daemonSet, "spec", "template", "metadata", "labels")).containsAllEntriesOf(
                map(service, "spec", "selector"));
        assertThat(map(service, "spec", "selector")).containsEntry("app.kubernetes.io/component", "agent");
        assertThat(str(service, "spec", "type")).isEqualTo("ClusterIP");
        // Clients use PostgreSQL's port; the Service sends them to the port the front door listens on.
        Map<String, Object> port = RenderedChart.cast(list(service, "spec", "ports").get(0));
        assertThat(port).containsEntry("port", 5432).containsEntry("targetPort", "postgres");
        Map<String, Object> named = namedPort(agent, "postgres");
        assertThat(named.get("containerPort")).isEqualTo(6432);
        assertThat(agentEnv).containsEntry("STRATUS_AGENT_FRONT_DOOR_PORT", "6432")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_BIND_ADDRESS", "0.0.0.0")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_WAKE_TIMEOUT", "30s")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_SHUTDOWN_GRACE", "10s");
        // Only agents whose front door listens get clients.
        assertThat(str(agent, "readinessProbe", "tcpSocket", "port")).isEqualTo("postgres");
        // Connection URIs name the Service, at its port.
        assertThat(cpEnv).containsEntry("STRATUS_FRONT_DOOR_HOST", FRONT_DOOR + "." + RenderedChart.NAMESPACE + ".svc")
                .containsEntry("STRATUS_FRONT_DOOR_PORT", "5432")
                .doesNotContainKeys("STRATUS_FRONT_DOOR_SERVER_NAME_SUFFIX", "STRATUS_FRONT_DOOR_SSL_MODE");
    }

    @Test
    void theFrontDoorsPortsServiceAndPublicAddressFollowTheValues() {
        Map<String, Object> values = RenderedChart.minimal();
        values.put("frontDoor.port", "7432");
        values.put("frontDoor.service.type", "LoadBalancer");
        values.put("frontDoor.service.port", "6543");
        values.put("frontDoor.service.annotations.service\\.beta\\.kubernetes\\.io/aws-load-balancer-type", "nlb");
        values.put("frontDoor.service.loadBalancerSourceRanges[0]", "203.0.113.0/24");
        values.put("frontDoor.publicHost", "db.example.com");
        values.put("frontDoor.serverNameSuffix", "db.example.com");
        values.put("frontDoor.wakeTimeout", "1m");
        RenderedChart chart = RenderedChart.render(values);
        Map<String, Object> service = chart.get("Service", FRONT_DOOR);
        Map<String, Object> agent = container(chart.get("DaemonSet", AGENT), "agent");
        Map<String, Object> agentEnv = chart.environment(agent);
        Map<String, Object> cpEnv = chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane"));

        assertThat(str(service, "spec", "type")).isEqualTo("LoadBalancer");
        assertThat(list(service, "spec", "loadBalancerSourceRanges")).containsExactly("203.0.113.0/24");
        assertThat(map(service, "metadata", "annotations"))
                .containsEntry("service.beta.kubernetes.io/aws-load-balancer-type", "nlb");
        assertThat(RenderedChart.cast(list(service, "spec", "ports").get(0))).containsEntry("port", 6543);
        assertThat(namedPort(agent, "postgres").get("containerPort")).isEqualTo(7432);
        assertThat(agentEnv).containsEntry("STRATUS_AGENT_FRONT_DOOR_PORT", "7432")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_SERVER_NAME_SUFFIX", "db.example.com")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_WAKE_TIMEOUT", "1m");
        assertThat(cpEnv).containsEntry("STRATUS_FRONT_DOOR_HOST", "db.example.com")
                .containsEntry("STRATUS_FRONT_DOOR_PORT", "6543")
                .containsEntry("STRATUS_FRONT_DOOR_SERVER_NAME_SUFFIX", "db.example.com");
        FrontDoorAddress address = (FrontDoorAddress) CONTROL_PLANE_SETTINGS.bind(cpEnv).get("stratus.front-door");
        assertThat(address.host()).isEqualTo("db.example.com");
        assertThat(address.port()).isEqualTo(6543);
        assertThat(address.serverNameSuffix()).isEqualTo("db.example.com");
        assertThat(((AgentSettings) AGENT_SETTINGS.bind(agentEnv).get("stratus.agent")).frontDoor().wakeTimeout())
                .isEqualTo(Duration.ofMinutes(1));

        // A node port (or a load balancer listening elsewhere) is named by publicPort.
        values.put("frontDoor.service.type", "NodePort");
        values.put("frontDoor.publicPort", "30432");
        RenderedChart nodePort = RenderedChart.render(values);
        assertThat(nodePort.environment(container(nodePort.get("Deployment", CONTROL_PLANE), "control-plane")))
                .containsEntry("STRATUS_FRONT_DOOR_PORT", "30432");
        assertThat(map(nodePort.get("Service", FRONT_DOOR), "spec")).doesNotContainKey("loadBalancerSourceRanges");
    }

    @Test
    void tlsIsMountedAndTurnedOnOnlyWithACertificateSecret(@TempDir Path dir) throws IOException {
        RenderedChart plain = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> plainAgent = container(plain.get("DaemonSet", AGENT), "agent");
        assertThat(plain.environment(plainAgent)).doesNotContainKeys("STRATUS_AGENT_FRONT_DOOR_TLS_CERTIFICATE",
                "STRATUS_AGENT_FRONT_DOOR_TLS_KEY", "STRATUS_AGENT_FRONT_DOOR_TLS_REQUIRED");
        assertThat(list(podSpec(plain.get("DaemonSet", AGENT)), "volumes")).noneMatch(v -> RenderedChart.cast(v)
                .containsKey("secret"));

        Map<String, Object> values = RenderedChart.minimal();
        values.put("frontDoor.tls.existingSecret", "front-door-cert");
        values.put("frontDoor.tls.required", "true");
        RenderedChart chart = RenderedChart.render(values);
        Map<String, Object> daemonSet = chart.get("DaemonSet", AGENT);
        Map<String, Object> agent = container(daemonSet, "agent");
        Map<String, Object> agentEnv = chart.environment(agent);

        // The Secret is mounted read-only, and the agent is given its two files there.
        Map<String, Object> source = list(podSpec(daemonSet), "volumes").stream().map(RenderedChart::cast)
                .filter(v -> v.containsKey("secret")).findFirst().orElseThrow();
        assertThat(str(source, "secret", "secretName")).isEqualTo("front-door-cert");
        Map<String, Object> mount = list(agent, "volumeMounts").stream().map(RenderedChart::cast)
                .filter(m -> source.get("name").equals(m.get("name"))).findFirst().orElseThrow();
        assertThat(mount).containsEntry("readOnly", true);
        String mountPath = (String) mount.get("mountPath");
        assertThat(agentEnv).containsEntry("STRATUS_AGENT_FRONT_DOOR_TLS_CERTIFICATE", mountPath + "/tls.crt")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_TLS_KEY", mountPath + "/tls.key")
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_TLS_REQUIRED", "true");
        // Required TLS: the URIs ask for it.
        assertThat(chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane")))
                .containsEntry("STRATUS_FRONT_DOOR_SSL_MODE", "require");
        // The agent takes those settings once the Secret's files are where the chart mounts them.
        Files.writeString(dir.resolve("tls.crt"), "certificate");
        Files.writeString(dir.resolve("tls.key"), "key");
        Map<String, Object> onTheNode = new HashMap<>(agentEnv);
        onTheNode.replaceAll((name, value) -> String.valueOf(value).startsWith(mountPath + "/")
                ? dir + String.valueOf(value).substring(mountPath.length()) : value);
        FrontDoorSettings frontDoor = ((AgentSettings) AGENT_SETTINGS.bind(onTheNode).get("stratus.agent")).frontDoor();
        assertThat(frontDoor.tls()).isTrue();
        assertThat(frontDoor.tlsRequired()).isTrue();
        assertThat(frontDoor.tlsCertificate()).isEqualTo(dir.resolve("tls.crt"));

        // Offered, not required: plaintext clients still get in, and URIs do not insist.
        values.put("frontDoor.tls.required", "false");
        RenderedChart offered = RenderedChart.render(values);
        assertThat(offered.environment(container(offered.get("DaemonSet", AGENT), "agent")))
                .containsEntry("STRATUS_AGENT_FRONT_DOOR_TLS_REQUIRED", "false")
                .containsKey("STRATUS_AGENT_FRONT_DOOR_TLS_CERTIFICATE");
        assertThat(offered.environment(container(offered.get("Deployment", CONTROL_PLANE), "control-plane")))
                .doesNotContainKey("STRATUS_FRONT_DOOR_SSL_MODE");
    }

    @Test
    void theBackupStoreIsTheSameForTheControlPlaneAndEveryAgentWithItsKeysFromASecret() {
        RenderedChart off = RenderedChart.render(RenderedChart.minimal());
        assertThat(off.environment(container(off.get("DaemonSet", AGENT), "agent")))
                .doesNotContainKey("STRATUS_BACKUPS_STORE_TYPE");

        Map<String, Object> values = RenderedChart.minimal();
        values.put("backups.store.type", "s3");
        values.put("backups.store.bucket", "stratus-backups");
        values.put("backups.store.prefix", "prod");
        values.put("backups.store.endpoint", "https://minio.example:9000");
        values.put("backups.store.pathStyle", "true");
        values.put("backups.store.existingSecret", "backup-keys");
        RenderedChart chart = RenderedChart.render(values);
        Map<String, Object> agent = container(chart.get("DaemonSet", AGENT), "agent");
        Map<String, Object> controlPlane = container(chart.get("Deployment", CONTROL_PLANE), "control-plane");

        for (Map<String, Object> container : List.of(agent, controlPlane)) {
            // The keys come from a Secret the operator made (not rendered by the chart): read by name, not resolved.
            Map<String, Map<String, Object>> env = list(container, "env").stream().map(RenderedChart::cast)
                    .collect(Collectors.toMap(e -> (String) e.get("name"), e -> e));
            assertThat(env.get("STRATUS_BACKUPS_STORE_TYPE")).containsEntry("value", "s3");
            assertThat(env.get("STRATUS_BACKUPS_STORE_BUCKET")).containsEntry("value", "stratus-backups");
            assertThat(env.get("STRATUS_BACKUPS_STORE_PREFIX")).containsEntry("value", "prod");
            assertThat(env.get("STRATUS_BACKUPS_STORE_ENDPOINT")).containsEntry("value", "https://minio.example:9000");
            assertThat(env.get("STRATUS_BACKUPS_STORE_PATH_STYLE")).containsEntry("value", "true");
            for (String key : List.of("ACCESS_KEY", "SECRET_KEY")) {
                Map<String, Object> ref = env.get("STRATUS_BACKUPS_STORE_" + key);
                assertThat(ref).doesNotContainKey("value");
                assertThat(str(ref, "valueFrom", "secretKeyRef", "name")).isEqualTo("backup-keys");
                assertThat(str(ref, "valueFrom", "secretKeyRef", "key")).isEqualTo(key.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            }
            // A misspelt variable is silently ignored by the app.
            AppSettings settings = container == agent ? AGENT_SETTINGS : CONTROL_PLANE_SETTINGS;
            assertThat(settings.variables()).containsAll(env.keySet().stream().filter(n -> n.startsWith("STRATUS_"))
                    .toList());
        }
        values.remove("backups.store.bucket");
        assertRefused(values, "backups.store.bucket is required");
    }

    @Test
    void theControlPlanesIngressIsOffByDefaultAndOnRoutesConsoleAndApiToItsService() {
        assertThat(RenderedChart.render(RenderedChart.minimal()).all("Ingress")).isEmpty();

        Map<String, Object> values = RenderedChart.minimal();
        values.put("controlPlane.ingress.enabled", "true");
        values.put("controlPlane.ingress.className", "nginx");
        values.put("controlPlane.ingress.host", "stratus.example.com");
        values.put("controlPlane.ingress.tls.secretName", "stratus-tls");
        RenderedChart chart = RenderedChart.render(values);
        Map<String, Object> ingress = chart.get("Ingress", CONTROL_PLANE);
        Map<String, Object> rule = RenderedChart.cast(list(ingress, "spec", "rules").get(0));
        Map<String, Object> path = RenderedChart.cast(list(rule, "http", "paths").get(0));
        Map<String, Object> cpEnv = chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane"));

        assertThat(str(ingress, "spec", "ingressClassName")).isEqualTo("nginx");
        assertThat(rule).containsEntry("host", "stratus.example.com");
        assertThat(path).containsEntry("path", "/").containsEntry("pathType", "Prefix");
        assertThat(str(path, "backend", "service", "name")).isEqualTo(str(chart.get("Service", CONTROL_PLANE), "metadata", "name"));
        assertThat(str(path, "backend", "service", "port", "name")).isEqualTo("http");
        assertThat(RenderedChart.cast(list(ingress, "spec", "tls").get(0))).containsEntry("secretName", "stratus-tls");
        // Console sessions live in one replica: the browser is kept on it.
        assertThat(map(ingress, "metadata", "annotations")).containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie");
        // Served over HTTPS, the console's session cookie is sent over HTTPS only.
        assertThat(cpEnv).containsEntry("STRATUS_CONSOLE_SECURE_COOKIE", "true");
    }

    @Test
    void agentsReachTheControlPlaneThroughItsService() throws IOException {
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> deployment = chart.get("Deployment", CONTROL_PLANE);
        Map<String, Object> service = chart.get("Service", CONTROL_PLANE);
        Map<String, Object> daemonSet = chart.get("DaemonSet", AGENT);
        Map<String, Object> cp = container(deployment, "control-plane");

        URI url = URI.create((String) chart.environment(container(daemonSet, "agent")).get("STRATUS_AGENT_CONTROL_PLANE_URL"));
        Map<String, Object> port = RenderedChart.cast(list(service, "spec", "ports").get(0));
        assertThat(url.getHost()).isEqualTo(CONTROL_PLANE + "." + RenderedChart.NAMESPACE + ".svc");
        assertThat(url.getPort()).isEqualTo(((Number) port.get("port")).intValue());
        // The Service's target is the port the control plane listens on, and it selects the control plane's pods.
        Map<String, Object> named = list(cp, "ports").stream().map(RenderedChart::cast)
                .filter(p -> port.get("targetPort").equals(p.get("name"))).findFirst().orElseThrow();
        assertThat(String.valueOf(named.get("containerPort"))).isEqualTo(chart.environment(cp).get("STRATUS_HTTP_PORT"));
        assertThat(map(deployment, "spec", "template", "metadata", "labels")).containsAllEntriesOf(
                map(service, "spec", "selector"));
        assertThat(map(deployment, "spec", "selector", "matchLabels")).isEqualTo(map(service, "spec", "selector"));
        // With the host's network a pod resolves through the node's DNS unless told otherwise: the Service's name
        // would not resolve and the agent would never register.
        assertThat(podSpec(daemonSet)).containsEntry("hostNetwork", true).containsEntry("dnsPolicy", "ClusterFirstWithHostNet");
        // The probes ask the health groups the control plane exposes.
        assertThat(str(cp, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(str(cp, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(str(applicationYaml(), "management", "endpoint", "health", "probes", "enabled")).isEqualTo("true");
    }

    @Test
    void generatedCredentialsAreOfTheirOwnKindsAndNeverShared() {
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> cpEnv = chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane"));
        Map<String, Object> agentEnv = chart.environment(container(chart.get("DaemonSet", AGENT), "agent"));

        String operatorKey = (String) cpEnv.get("STRATUS_OPERATOR_KEY");
        String bootstrap = (String) cpEnv.get("STRATUS_AGENT_BOOTSTRAP_TOKEN");
        assertThat(operatorKey).startsWith("stk_").hasSizeGreaterThanOrEqualTo(40);
        assertThat(bootstrap).startsWith("sbt_").hasSizeGreaterThanOrEqualTo(40).isNotEqualTo(operatorKey);
        assertThat(agentEnv.get("STRATUS_AGENT_BOOTSTRAP_TOKEN")).isEqualTo(bootstrap);
        assertThat(agentEnv).doesNotContainValue(operatorKey).doesNotContainKey("STRATUS_OPERATOR_KEY");
        // Secrets reach the processes by reference only, never as literal values in the workloads.
        assertThat(literalValuesOf(chart)).doesNotContain(operatorKey, bootstrap, "s3cret-metadata");
        // A second rendering generates different ones: nothing is baked into the chart.
        RenderedChart second = RenderedChart.render(RenderedChart.minimal());
        String again = (String) second.environment(container(second.get("Deployment", CONTROL_PLANE), "control-plane"))
                .get("STRATUS_OPERATOR_KEY");
        assertThat(again).isNotEqualTo(operatorKey);
    }

    @Test
    void anUpgradeKeepsTheCredentialsTheReleaseAlreadyHas() {
        cluster.putSecret(RenderedChart.NAMESPACE, "prod-stratus-credentials", Map.of(
                "operator-key", "stk_made-at-install-0123456789", "agent-bootstrap-token", "sbt_made-at-install-0123456789"));

        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());

        assertThat(chart.environment(container(chart.get("Deployment", CONTROL_PLANE), "control-plane")))
                .containsEntry("STRATUS_OPERATOR_KEY", "stk_made-at-install-0123456789")
                .containsEntry("STRATUS_AGENT_BOOTSTRAP_TOKEN", "sbt_made-at-install-0123456789");
        assertThat(chart.environment(container(chart.get("DaemonSet", AGENT), "agent")))
                .containsEntry("STRATUS_AGENT_BOOTSTRAP_TOKEN", "sbt_made-at-install-0123456789");
        // Another release in another namespace gets its own.
        assertThat(RenderedChart.render(RenderedChart.minimal(), "staging").secretValue("prod-stratus-credentials",
                "operator-key")).isNotEqualTo("stk_made-at-install-0123456789");
    }

    @Test
    void existingSecretsAreUsedInsteadOfTheChartsOwn() {
        Map<String, Object> values = RenderedChart.minimal();
        values.remove("metadataDatabase.password");
        values.put("metadataDatabase.existingSecret", "pg-credentials");
        values.put("metadataDatabase.existingSecretPasswordKey", "pw");
        values.put("credentials.existingSecret", "ops-credentials");
        RenderedChart chart = RenderedChart.render(values);
        assertThat(chart.all("Secret")).as("the chart renders no Secret of its own").isEmpty();
        String workloads = chart.get("Deployment", CONTROL_PLANE) + " " + chart.get("DaemonSet", AGENT);
        assertThat(workloads).contains("name=pg-credentials, key=pw").contains("name=ops-credentials, key=operator-key")
                .contains("name=ops-credentials, key=agent-bootstrap-token");
    }

    @Test
    void refusesToRenderWithoutAMetadataDatabase() {
        assertRefused(Map.of(), "metadataDatabase.url is required");
        assertRefused(Map.of("metadataDatabase.url", "postgres://x/y", "metadataDatabase.password", "p"),
                "must start with jdbc:postgresql://");
        assertRefused(Map.of("metadataDatabase.url", "jdbc:postgresql://x/y"),
                "metadataDatabase.existingSecret or metadataDatabase.password is required");
    }

    // values.schema.json: values of the wrong type or out of range are refused before anything renders, naming them.
    @Test
    void theSchemaRefusesValuesOfTheWrongTypeOrRange() {
        assertRefused(with("controlPlane.replicas", "-1"), "'/controlPlane/replicas': minimum: got -1, want 1");
        assertRefused(with("frontDoor.port", "70000"), "'/frontDoor/port': maximum");
        assertRefused(with("frontDoor.service.port", "0"), "'/frontDoor/service/port': minimum");
        assertRefused(with("frontDoor.service.type", "Ingress"), "'/frontDoor/service/type'");
        assertRefused(with("frontDoor.wakeTimeout", "soon"), "'/frontDoor/wakeTimeout'");
        assertRefused(with("frontDoor.publicHost", "postgresql://db.example.com"), "'/frontDoor/publicHost'");
        assertRefused(with("agent.warmPoolSize", "many"), "'/agent/warmPoolSize'");
        assertRefused(with("controlPlane.maxCu", "lots"), "'/controlPlane/maxCu'");
        assertRefused(with("controlPlane.service.type", "Ingress"), "'/controlPlane/service/type'");
    }

    @Test
    void refusesValuesThatCouldNotWork() {
        assertRefused(with("controlPlane.billingExport.persistence.accessMode", "ReadWriteOnce"),
                "the export volume must be ReadWriteMany");
        assertRefused(with("agent.cgroups", "v3"), "agent.cgroups must be auto, v2, v1 or none");
        assertRefused(with("frontDoor.tls.required", "true"),
                "frontDoor.tls.required needs frontDoor.tls.existingSecret");

        // One replica may keep its exports on a ReadWriteOnce volume.
        Map<String, Object> single = with("controlPlane.billingExport.persistence.accessMode", "ReadWriteOnce");
        single.put("controlPlane.replicas", "1");
        RenderedChart chart = RenderedChart.render(single);
        assertThat(chart.all("PodDisruptionBudget")).as("no budget can keep one replica up").isEmpty();
        assertThat(list(chart.get("PersistentVolumeClaim", "prod-stratus-exports"), "spec", "accessModes"))
                .containsExactly("ReadWriteOnce");
    }

    @Test
    void billingExportsOutliveTheirPodsAndTheRelease() {
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> deployment = chart.get("Deployment", CONTROL_PLANE);
        Map<String, Object> cp = container(deployment, "control-plane");
        String directory = (String) chart.environment(cp).get("STRATUS_BILLING_EXPORT_DIRECTORY");

        String volume = list(cp, "volumeMounts").stream().map(RenderedChart::cast)
                .filter(m -> directory.equals(m.get("mountPath"))).map(m -> (String) m.get("name")).findFirst().orElseThrow();
        Map<String, Object> source = list(podSpec(deployment), "volumes").stream().map(RenderedChart::cast)
                .filter(v -> volume.equals(v.get("name"))).findFirst().orElseThrow();
        String claim = str(source, "persistentVolumeClaim", "claimName");
        Map<String, Object> pvc = chart.get("PersistentVolumeClaim", claim);
        assertThat(list(pvc, "spec", "accessModes")).containsExactly("ReadWriteMany");
        assertThat(str(pvc, "metadata", "annotations", "helm.sh/resource-policy")).isEqualTo("keep");
    }

    @Test
    void aMetadataDatabaseChangeRestartsTheControlPlaneButNotTheAgentsAndTheirComputes() {
        RenderedChart before = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> changed = RenderedChart.minimal();
        changed.put("metadataDatabase.password", "rotated-password");
        RenderedChart after = RenderedChart.render(changed);

        assertThat(checksum(after, "Deployment", CONTROL_PLANE)).isNotEqualTo(checksum(before, "Deployment", CONTROL_PLANE));
        assertThat(checksum(after, "DaemonSet", AGENT)).isEqualTo(checksum(before, "DaemonSet", AGENT));
    }

    @Test
    void theAgentsSocketDirectoryIsOnTheHostSoAdoptedComputesStayReachable() {
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());
        Map<String, Object> daemonSet = chart.get("DaemonSet", AGENT);
        String volume = list(container(daemonSet, "agent"), "volumeMounts").stream().map(RenderedChart::cast)
                .filter(m -> "/tmp".equals(m.get("mountPath"))).map(m -> (String) m.get("name")).findFirst().orElseThrow();
        Map<String, Object> source = list(podSpec(daemonSet), "volumes").stream().map(RenderedChart::cast)
                .filter(v -> volume.equals(v.get("name"))).findFirst().orElseThrow();
        assertThat(str(source, "hostPath", "path")).isEqualTo("/run/stratus-agent");
    }

    @Test
    void theLongestReleaseNameHelmAllowsGivesNamesKubernetesAccepts() {
        // Helm allows 53 characters; Services and their DNS names allow 63, labels as many.
        String release = "r".repeat(53);
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal(), RenderedChart.NAMESPACE, release);
        assertThat(chart.objects()).isNotEmpty().allSatisfy(o -> {
            assertThat(str(o, "metadata", "name")).hasSizeLessThanOrEqualTo(63).matches("[a-z]([-a-z0-9]*[a-z0-9])?");
            map(o, "metadata", "labels").values().forEach(v -> assertThat(String.valueOf(v)).hasSizeLessThanOrEqualTo(63));
        });
        // Shortened names are still told apart.
        assertThat(chart.objects().stream().map(o -> o.get("kind") + "/" + str(o, "metadata", "name")).distinct())
                .hasSize(chart.objects().size());
    }

    private static Map<String, Object> namedPort(Map<String, Object> container, String name) {
        return list(container, "ports").stream().map(RenderedChart::cast).filter(p -> name.equals(p.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static String checksum(RenderedChart chart, String kind, String name) {
        return str(chart.get(kind, name), "spec", "template", "metadata", "annotations", "checksum/config");
    }

    private static Set<String> stratusVariables(RenderedChart chart, Map<String, Object> workload, String name) {
        return chart.environment(container(workload, name)).keySet().stream().filter(n -> n.startsWith("STRATUS_"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every literal env value in the rendered workloads. */
    private static Set<String> literalValuesOf(RenderedChart chart) {
        Set<String> values = new TreeSet<>();
        for (String kind : new String[] {"Deployment", "DaemonSet"}) {
            for (Map<String, Object> workload : chart.all(kind)) {
                for (Object c : list(podSpec(workload), "containers")) {
                    for (Object e : list(RenderedChart.cast(c), "env")) {
                        Object value = RenderedChart.cast(e).get("value");
                        if (value != null) {
                            values.add(String.valueOf(value));
                        }
                    }
                }
            }
        }
        return values;
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> values = RenderedChart.minimal();
        values.put(key, value);
        return values;
    }

    private static void assertRefused(Map<String, Object> values, String message) {
        assertThatThrownBy(() -> RenderedChart.render(values)).hasMessageContaining(message);
    }

    private static Map<String, Object> applicationYaml() throws IOException {
        try (InputStream in = ChartTests.class.getClassLoader().getResourceAsStream("application.yml")) {
            return RenderedChart.cast(new Yaml(new LoaderOptions()).load(in));
        }
    }
}
