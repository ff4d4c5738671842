package io.stratus.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.agent.capacity.CapacityUnit;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The agent is configured through environment variables; these bind the way Spring Boot binds them at startup. */
class AgentSettingsTests {

    @Test
    void defaultsNeedOnlyABootstrapToken() {
        AgentSettings s = bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t0ken"));

        assertThat(s.controlPlaneUrl()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(s.bootstrapToken()).isEqualTo("t0ken");
        assertThat(s.dataDir()).isEqualTo(Path.of(".stratus/agent").toAbsolutePath().normalize());
        assertThat(s.nodeName()).isNotBlank();
        assertThat(s.address()).isEqualTo("127.0.0.1");
        assertThat(s.zone()).isEqualTo("local");
        assertThat(s.capacityCu()).isEqualByComparingTo("8");
        assertThat(s.frontDoor().port()).isEqualTo(6432);
        assertThat(s.frontDoor().bindAddress()).isNull();
        assertThat(s.frontDoor().tls()).isFalse();
        assertThat(s.frontDoor().wakeTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.postgresUser()).isEqualTo("postgres");
        assertThat(s.releaseDirs()).isEmpty();
        assertThat(s.warmPoolSize()).isEqualTo(2);
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.healthCheckInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.longPollTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(s.cpuPerCu()).isEqualByComparingTo("1");
        assertThat(s.memoryPerCu().toBytes()).isEqualTo(4L << 30);
        assertThat(s.capacityUnit()).isEqualTo(CapacityUnit.DEFAULT);
        assertThat(s.metricsInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.cgroups()).isEqualTo("auto");
        assertThat(s.cgroupParent()).isEqualTo("stratus");
        assertThat(s.usageInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.usageBatchSize()).isEqualTo(500);
        assertThat(s.usageMaxIdleWindow()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void bindsUsageMeteringAndRefusesAnIdleWindowShorterThanTheInterval() {
        AgentSettings s = bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t", "STRATUS_AGENT_USAGE_INTERVAL", "200ms",
                "STRATUS_AGENT_USAGE_BATCH_SIZE", "50", "STRATUS_AGENT_USAGE_MAX_IDLE_WINDOW", "1s"));

        assertThat(s.usageInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.usageBatchSize()).isEqualTo(50);
        assertThat(s.usageMaxIdleWindow()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t", "STRATUS_AGENT_USAGE_INTERVAL", "1m",
                "STRATUS_AGENT_USAGE_MAX_IDLE_WINDOW", "10s")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("usage-max-idle-window");
    }

    @Test
    void bindsWhatACuIsWorthAndHowItIsEnforced() {
        AgentSettings s = bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t", "STRATUS_AGENT_CPU_PER_CU", "0.5",
                "STRATUS_AGENT_MEMORY_PER_CU", "2GB", "STRATUS_AGENT_METRICS_INTERVAL", "500ms",
                "STRATUS_AGENT_CGROUPS", "None", "STRATUS_AGENT_CGROUP_PARENT", "machine.slice/stratus"));

        assertThat(s.capacityUnit()).isEqualTo(new CapacityUnit(new BigDecimal("0.5"), 2L << 30));
        assertThat(s.metricsInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.cgroups()).isEqualTo("none");
        assertThat(s.cgroupParent()).isEqualTo("machine.slice/stratus");
    }

    @Test
    void refusesUnknownCgroupModesAndParentsOutsideTheHierarchy() {
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t", "STRATUS_AGENT_CGROUPS", "v3")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("cgroups must be one of");
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t", "STRATUS_AGENT_CGROUP_PARENT", "../x")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("cgroup-parent");
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t", "STRATUS_AGENT_CPU_PER_CU", "0")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("cpu-per-cu");
    }

    @Test
    void bindsEveryoneFromEnvironmentVariables() {
        AgentSettings s = bindEnv(Map.ofEntries(
                Map.entry("STRATUS_AGENT_CONTROL_PLANE_URL", "http://cp.example:9090"),
                Map.entry("STRATUS_AGENT_BOOTSTRAP_TOKEN", "t0ken"),
                Map.entry("STRATUS_AGENT_DATA_DIR", "/var/lib/stratus"),
                Map.entry("STRATUS_AGENT_NODE_NAME", "node-7"),
                Map.entry("STRATUS_AGENT_ADDRESS", "10.0.0.7"),
                Map.entry("STRATUS_AGENT_ZONE", "eu-1a"),
                Map.entry("STRATUS_AGENT_CAPACITY_CU", "16.5"),
                Map.entry("STRATUS_AGENT_FRONT_DOOR_PORT", "7432"),
                Map.entry("STRATUS_AGENT_FRONT_DOOR_WAKE_TIMEOUT", "5s"),
                Map.entry("STRATUS_AGENT_RELEASE_DIRS", "/opt/pg16,/opt/pg17"),
                Map.entry("STRATUS_AGENT_WARM_POOL_SIZE", "0"),
                Map.entry("STRATUS_AGENT_HEARTBEAT_INTERVAL", "10s"),
                Map.entry("STRATUS_AGENT_LABELS_RACK", "r12")));

        assertThat(s.controlPlaneUrl()).isEqualTo(URI.create("http://cp.example:9090"));
        assertThat(s.dataDir()).isEqualTo(Path.of("/var/lib/stratus"));
        assertThat(s.nodeName()).isEqualTo("node-7");
        assertThat(s.address()).isEqualTo("10.0.0.7");
        assertThat(s.zone()).isEqualTo("eu-1a");
        assertThat(s.capacityCu()).isEqualByComparingTo(new BigDecimal("16.5"));
        assertThat(s.frontDoor().port()).isEqualTo(7432);
        assertThat(s.frontDoor().wakeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.releaseDirs()).containsExactly(Path.of("/opt/pg16"), Path.of("/opt/pg17"));
        assertThat(s.warmPoolSize()).isZero();
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.labels()).containsEntry("rack", "r12");
    }

    @Test
    void readsTheBootstrapTokenFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "from-file\n");

        AgentSettings s = bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN_FILE", file.toString()));

        assertThat(s.bootstrapToken()).isEqualTo("from-file");
    }

    @Test
    void refusesToStartWithoutABootstrapToken() {
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_ZONE", "z")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("STRATUS_AGENT_BOOTSTRAP_TOKEN");
    }

    @Test
    void bindsFromProperties() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "stratus.agent.bootstrap-token", "t", "stratus.agent.release-dirs", "/a,/b")));

        AgentSettings s = Binder.get(env).bind("stratus.agent", AgentSettings.class).get();

        assertThat(s.releaseDirs()).containsExactly(Path.of("/a"), Path.of("/b"));
    }

    private static AgentSettings bindEnv(Map<String, Object> variables) {
        SystemEnvironmentPropertySource source = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables);
        return new Binder(ConfigurationPropertySources.from(source)).bindOrCreate("stratus.agent", AgentSettings.class);
    }
}
