package io.stratus.agent.capacity;

import io.stratus.agent.AgentSettings;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Says at start what the node's capacity promises against what the host has. The capacity is the control plane's
 * budget for placement and scale-ups; set above the host (the default, 8 CU, on a small machine) it is overcommitted:
 * computes that are mostly idle can share that, but a CU granted then is not a vCPU delivered when all are busy. The
 * operator decides; the log makes sure it is a decision.
 */
@Component
public class CapacityCheck {

    private static final Logger log = LoggerFactory.getLogger(CapacityCheck.class);

    private final AgentSettings settings;

    public CapacityCheck(AgentSettings settings) {
        this.settings = settings;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        int cpus = Runtime.getRuntime().availableProcessors();
        Optional<String> overcommit = overcommit(settings.capacityCu(), settings.capacityUnit(), cpus, memory);
        if (overcommit.isPresent()) {
            log.warn(overcommit.get());
        } else {
            log.info("capacity {} CU fits this host ({} vCPUs, {} GiB)", settings.capacityCu().toPlainString(), cpus,
                    gib(memory));
        }
    }

    /** A warning when {@code capacityCu} promises more vCPUs or memory than the host has; empty when it fits. */
    public static Optional<String> overcommit(BigDecimal capacityCu, CapacityUnit unit, int hostCpus, long hostMemoryBytes) {
        BigDecimal vcpus = unit.vcpus(capacityCu);
        long memory = unit.memoryBytes(capacityCu);
        boolean cpuOver = vcpus.compareTo(BigDecimal.valueOf(hostCpus)) > 0;
        boolean memoryOver = memory > hostMemoryBytes;
        if (!cpuOver && !memoryOver) {
            return Optional.empty();
        }
        return Optional.of("capacity " + capacityCu.toPlainString() + " CU promises " + vcpus.stripTrailingZeros().toPlainString()
                + " vCPUs and " + gib(memory) + " GiB; this host has " + hostCpus + " vCPUs and " + gib(hostMemoryBytes)
                + " GiB: " + (cpuOver ? "CPU overcommitted " + ratio(vcpus, BigDecimal.valueOf(hostCpus)) + "x" : "")
                + (cpuOver && memoryOver ? ", " : "")
                + (memoryOver ? "memory overcommitted " + ratio(BigDecimal.valueOf(memory), BigDecimal.valueOf(hostMemoryBytes)) + "x" : "")
                + ". Busy computes will get less than the CU they are granted and billed for; set stratus.agent.capacity-cu"
                + " (STRATUS_AGENT_CAPACITY_CU) to what this host should offer");
    }

    private static String gib(long bytes) {
        return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1L << 30), 1, RoundingMode.HALF_UP).toPlainString();
    }

    private static String ratio(BigDecimal a, BigDecimal b) {
        return a.divide(b, 1, RoundingMode.HALF_UP).toPlainString();
    }
}
