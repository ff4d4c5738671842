package io.stratus.agent;

import io.stratus.agent.capacity.CapacityUnit;
import io.stratus.agent.capacity.CgroupDetector;
import io.stratus.agent.frontdoor.FrontDoorSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The agent's settings, {@code stratus.agent.*}; each also binds from the environment by Spring's relaxed rules
 * ({@code STRATUS_AGENT_CONTROL_PLANE_URL}, {@code STRATUS_AGENT_BOOTSTRAP_TOKEN}, {@code STRATUS_AGENT_DATA_DIR}, ...).
 *
 * @param controlPlaneUrl     base URL of the control plane; default {@code http://127.0.0.1:8080}
 * @param bootstrapToken      token that lets a new node register; required unless {@code bootstrapTokenFile} is set
 * @param bootstrapTokenFile  file holding the bootstrap token (keeps it out of the environment); optional
 * @param dataDir             where the agent keeps its node identity, computes, warm pool and release cache;
 *                            default {@code ./.stratus/agent}
 * @param nodeName            stable name of this host in the fleet; default the host name
 * @param address             this host's address: its front door listens there (unless {@code front-door.bind-address}
 *                            says otherwise) and other nodes' front doors relay to it; default {@code 127.0.0.1}
 * @param zone                failure domain; default {@code local}
 * @param capacityCu          capacity units this host offers; default 8
 * @param postgresUser        OS user that runs Postgres when the agent runs as root; default {@code postgres}
 * @param releaseDirs         extra directories holding Postgres releases, searched before the host's own; default none
 * @param warmPoolSize        pre-initialised stopped clusters kept ready for new computes; default 2
 * @param heartbeatInterval   how often status is sent even when nothing changed; default 5s
 * @param healthCheckInterval how often running computes are checked for a dead postmaster; default 2s
 * @param longPollTimeout     how long the control plane may hold a desired-state request; default 25s
 * @param labels              free-form labels reported at registration; default none
 * @param cpuPerCu            vCPUs one CU grants (its CFS quota); default 1
 * @param memoryPerCu         memory one CU grants (its cgroup memory limit, and the base of the memory settings that
 *                            follow CU); default 4GB (binary: 4 GiB)
 * @param cpuBurst            share of a compute's CPU quota it may bank while below its CU and spend above it in a
 *                            later 100 ms period (CFS burst, where the kernel has it), 0 to 1; default 1
 * @param metricsInterval     how often running computes are sampled and the samples sent; default 1s
 * @param cgroups             how CU is enforced: {@code auto} (probe cgroup v2, then v1, else none), {@code v2},
 *                            {@code v1} or {@code none}; a version that does not probe well falls back to none
 * @param cgroupParent        the group under each cgroup hierarchy's root that holds the computes' groups
 *                            ({@code <parent>/<computeId>}); default {@code stratus}
 * @param usageInterval       how often usage (requests, rows, CU-seconds, storage) is sampled into the spool; windows
 *                            are also cut at every UTC hour boundary; default 10s
 * @param usageBatchSize      most usage records sent to the control plane in one report; default 500
 * @param usageMaxIdleWindow  longest window an idle compute's usage (nothing but CU-seconds and storage accruing, both
 *                            unchanged) is merged into before a record is written anyway; default 5m
 * @param frontDoor           the Postgres front door ({@link FrontDoorSettings})
 */
@ConfigurationProperties("stratus.agent")
public record AgentSettings(
        @DefaultValue("http://127.0.0.1:8080") URI controlPlaneUrl,
        String bootstrapToken,
        Path bootstrapTokenFile,
        @DefaultValue("./.stratus/agent") Path dataDir,
        String nodeName,
        @DefaultValue("127.0.0.1") String address,
        @DefaultValue("local") String zone,
        @DefaultValue("8") BigDecimal capacityCu,
        @DefaultValue("postgres") String postgresUser,
        @DefaultValue List<Path> releaseDirs,
        @DefaultValue("2") int warmPoolSize,
        @DefaultValue("5s") Duration heartbeatInterval,
        @DefaultValue("2s") Duration healthCheckInterval,
        @DefaultValue("25s") Duration longPollTimeout,
        @DefaultValue Map<String, String> labels,
        @DefaultValue("1") BigDecimal cpuPerCu,
        @DefaultValue("4GB") DataSize memoryPerCu,
        @DefaultValue("1") double cpuBurst,
        @DefaultValue("1s") Duration metricsInterval,
        @DefaultValue("auto") String cgroups,
        @DefaultValue("stratus") String cgroupParent,
        @DefaultValue("10s") Duration usageInterval,
        @DefaultValue("500") int usageBatchSize,
        @DefaultValue("5m") Duration usageMaxIdleWindow,
        @DefaultValue FrontDoorSettings frontDoor) {

    public AgentSettings {
        if (isBlank(bootstrapToken) && bootstrapTokenFile != null) {
            bootstrapToken = readToken(bootstrapTokenFile);
        }
        if (isBlank(bootstrapToken)) {
            throw new IllegalArgumentException("stratus.agent.bootstrap-token (STRATUS_AGENT_BOOTSTRAP_TOKEN) or "
                    + "stratus.agent.bootstrap-token-file (STRATUS_AGENT_BOOTSTRAP_TOKEN_FILE) must be set");
        }
        bootstrapToken = bootstrapToken.trim();
        if (isBlank(nodeName)) {
            nodeName = hostName();
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        frontDoor = frontDoor == null ? FrontDoorSettings.defaults() : frontDoor;
        if (warmPoolSize < 0) {
            throw new IllegalArgumentException("warm-pool-size must not be negative");
        }
        releaseDirs = releaseDirs == null ? List.of() : List.copyOf(releaseDirs);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (memoryPerCu == null) {
            throw new IllegalArgumentException("memory-per-cu must be positive");
        }
        // What a CU is worth is checked where it is defined (cpu-per-cu, memory-per-cu, cpu-burst), at start-up.
        new CapacityUnit(cpuPerCu, memoryPerCu.toBytes(), cpuBurst);
        if (metricsInterval == null || metricsInterval.isNegative() || metricsInterval.isZero()) {
            throw new IllegalArgumentException("metrics-interval must be positive");
        }
        if (usageInterval == null || usageInterval.isNegative() || usageInterval.isZero()) {
            throw new IllegalArgumentException("usage-interval must be positive");
        }
        if (usageBatchSize < 1) {
            throw new IllegalArgumentException("usage-batch-size must be at least 1");
        }
        if (usageMaxIdleWindow == null || usageMaxIdleWindow.compareTo(usageInterval) < 0) {
            throw new IllegalArgumentException("usage-max-idle-window must be at least usage-interval");
        }
        cgroups = cgroups == null ? "auto" : cgroups.trim().toLowerCase(Locale.ROOT);
        if (!CgroupDetector.MODES.contains(cgroups)) {
            throw new IllegalArgumentException("cgroups must be one of " + new TreeSet<>(CgroupDetector.MODES)
                    + ", not '" + cgroups + "'");
        }
        if (cgroupParent == null || !CGROUP_PARENT.matcher(cgroupParent).matches()) {
            throw new IllegalArgumentException("cgroup-parent must be a relative group path such as 'stratus', not '"
                    + cgroupParent + "'");
        }
    }

    /** What one CU is worth on this host. */
    public CapacityUnit capacityUnit() {
        return new CapacityUnit(cpuPerCu, memoryPerCu.toBytes(), cpuBurst);
    }

    private static final Pattern CGROUP_PARENT = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$");

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bootstrap token file " + file, e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // A host without a resolvable name still has one in the kernel.
            String env = System.getenv("HOSTNAME");
            return isBlank(env) ? "localhost" : env;
        }
    }
}
