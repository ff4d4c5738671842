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
import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.autoscaling.AutoscalingSettings;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
        RenderedChart chart = RenderedChart.render(RenderedChart.minimal());

        Set<String> controlPlane = stratusVariables(chart, chart.get("Deployment", CONTROL_PLANE), "control-plane");
        Set<String> agent = stratusVariables(chart, chart.get("DaemonSet", AGENT), "agent");

        // A misspelt variable is silently ignored by the app: the setting would keep its default.
        assertThat(CONTROL_PLANE_SETTINGS.variables()).containsAll(controlPlane);
        assertThat(AGENT_SETTINGS.variables()).containsAll(agent);
        assertThat(controlPlane).contains("STRATUS_DB_URL", "STRATUS_DB_PASSWORD", "STRATUS_OPERATOR_KEY",
                "STRATUS_AGENT_BOOTSTRAP_TOKEN", "STRATUS_BILLING_EXPORT_DIRECTORY");
        assertThat(agent).contains("STRATUS_AGENT_CONTROL_PLANE_URL", "STRATUS_AGENT_BOOTSTRAP_TOKEN",
                "STRATUS_AGENT_ADDRESS", "STRATUS_AGENT_NODE_NAME", "STRATUS_AGENT_DATA_DIR");
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
        assertThat(agent.address()).as("computes listen on the node's address").isEqualTo("10.0.0.7");
        assertThat(agent.dataDir()).isEqualTo(Path.of("/var/lib/stratus/agent"));
        // One CU is worth the same to the autoscaler sizing needs as to the agent enforcing them.
        AutoscalingSettings autoscaling = (AutoscalingSettings) cp.get("stratus.autoscaling");
        assertThat(autoscaling.memoryPerCu()).isEqualTo(agent.memoryPerCu());
        assertThat(BigDecimal.valueOf(autoscaling.cpuPerCu())).isEqualByComparingTo(agent.cpuPerCu());
        assertThat(cpEnv.get("STRATUS_DB_URL")).isEqualTo("jdbc:postgresql://metadata.example:5432/stratus");
        assertThat(cpEnv.get("STRATUS_DB_PASSWORD")).isEqualTo("s3cret-metadata");
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
        assertRefused(with("agent.portMin", "80"), "'/agent/portMin': minimum: got 80");
        assertRefused(with("agent.warmPoolSize", "many"), "'/agent/warmPoolSize'");
        assertRefused(with("controlPlane.maxCu", "lots"), "'/controlPlane/maxCu'");
        assertRefused(with("controlPlane.service.type", "Ingress"), "'/controlPlane/service/type'");
    }

    @Test
    void refusesValuesThatCouldNotWork() {
        assertRefused(with("controlPlane.billingExport.persistence.accessMode", "ReadWriteOnce"),
                "the export volume must be ReadWriteMany");
        assertRefused(with("agent.cgroups", "v3"), "agent.cgroups must be auto, v2, v1 or none");
        assertRefused(with("agent.portMin", "60000"), "agent.portMin..portMax must be a range");

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
