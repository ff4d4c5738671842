package io.stratus.agent.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 file protocol, against a tree of plain files laid out as the kernel lays out a cgroup2 mount. These
 * hosts are cgroup v1, so the kernel side of v2 is proven only where {@link CgroupDetectorTests} runs on a v2 host;
 * this pins what the driver writes and how it reads what the kernel reports.
 */
class CgroupV2DriverTests {

    @TempDir
    Path mount;

    private final UUID id = UUID.randomUUID();

    private CgroupV2Driver driver() throws Exception {
        Files.writeString(mount.resolve("cgroup.subtree_control"), "io pids\n");
        return new CgroupV2Driver(mount, "stratus");
    }

    /** What the kernel puts into a new group by itself; plain directories need it seeded. */
    private Path kernelGroup(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(dir.resolve("cpu.max"), "max 100000\n");
        Files.writeString(dir.resolve("cpu.max.burst"), "0\n");
        Files.writeString(dir.resolve("memory.max"), "max\n");
        return dir;
    }

    @Test
    void parentChainDelegatesCpuAndMemoryAndTheComputesGroupGetsCpuMaxAndMemoryMax() throws Exception {
        CgroupV2Driver v2 = driver();
        kernelGroup(mount.resolve("stratus"));
        v2.ensureParent();
        kernelGroup(v2.group(id));

        assertThat(v2.applyLimits(id, CapacityUnit.DEFAULT.limits(new BigDecimal("0.75")))).isTrue();

        assertThat(mount.resolve("cgroup.subtree_control")).content().isEqualToIgnoringNewLines("+cpu +memory");
        assertThat(mount.resolve("stratus/cgroup.subtree_control")).content().isEqualToIgnoringNewLines("+cpu +memory");
        assertThat(v2.group(id).resolve("cpu.max")).content().isEqualToIgnoringNewLines("75000 100000");
        assertThat(v2.group(id).resolve("cpu.max.burst")).content().isEqualToIgnoringNewLines("75000");
        assertThat(v2.group(id).resolve("memory.max")).content().isEqualToIgnoringNewLines(String.valueOf(3L << 30));
    }

    @Test
    void sameLimitsTwiceWriteNothingAndAChangeOnlyTouchesAnExistingGroup() throws Exception {
        CgroupV2Driver v2 = driver();
        CgroupLimits half = CapacityUnit.DEFAULT.limits(new BigDecimal("0.5"));

        assertThat(v2.updateLimitsIfPresent(id, half)).as("no group yet: the quick path creates nothing").isFalse();
        assertThat(v2.group(id)).doesNotExist();
        kernelGroup(v2.group(id));
        assertThat(v2.applyLimits(id, half)).isTrue();
        assertThat(v2.applyLimits(id, half)).as("already as wanted").isFalse();
        assertThat(v2.updateLimitsIfPresent(id, CapacityUnit.DEFAULT.limits(new BigDecimal("2")))).isTrue();
        assertThat(v2.group(id).resolve("cpu.max")).content().isEqualToIgnoringNewLines("200000 100000");
        assertThat(v2.group(id).resolve("cpu.max.burst")).content().isEqualToIgnoringNewLines("200000");
        // Plain files are not truncated by a write as the kernel's are not either: a value of the same length.
        assertThat(v2.updateLimitsIfPresent(id, CapacityUnit.DEFAULT.limits(BigDecimal.ONE))).isTrue();
        assertThat(v2.group(id).resolve("cpu.max.burst")).content().isEqualToIgnoringNewLines("100000");
    }

    @Test
    void usageReadsCpuThrottlingAndWorkingSetAsTheKernelReportsThem() throws Exception {
        CgroupV2Driver v2 = driver();
        Path group = Files.createDirectories(v2.group(id));
        Files.writeString(group.resolve("cpu.stat"), """
                usage_usec 1500000
                user_usec 1000000
                system_usec 500000
                nr_periods 40
                nr_throttled 4
                throttled_usec 20000
                """);
        Files.writeString(group.resolve("memory.stat"), "anon 104857600\nfile 52428800\ninactive_file 20971520\n");
        Files.writeString(group.resolve("memory.current"), "157286400\n");
        Files.writeString(group.resolve("memory.max"), "1073741824\n");
        Files.writeString(group.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n");

        CgroupUsage usage = v2.usage(id).orElseThrow();

        assertThat(usage.cpuUsageNanos()).hasValue(1_500_000_000L);
        assertThat(usage.cpuPeriods()).isEqualTo(40);
        assertThat(usage.cpuThrottledPeriods()).isEqualTo(4);
        assertThat(usage.memoryUsageBytes()).isEqualTo(157_286_400L);
        assertThat(usage.inactiveFileBytes()).isEqualTo(20_971_520L);
        assertThat(usage.memoryLimitBytes()).isEqualTo(1L << 30);
        assertThat(usage.oomKills()).isEqualTo(2);
    }

    @Test
    void unlimitedMemoryReadsAsNoLimitAndAMissingGroupAsNoUsage() throws Exception {
        CgroupV2Driver v2 = driver();
        assertThat(v2.usage(id)).isEmpty();
        Path group = Files.createDirectories(v2.group(id));
        Files.writeString(group.resolve("cpu.stat"), "usage_usec 0\nnr_periods 0\nnr_throttled 0\n");
        Files.writeString(group.resolve("memory.stat"), "inactive_file 0\n");
        Files.writeString(group.resolve("memory.current"), "0\n");
        Files.writeString(group.resolve("memory.max"), "max\n");

        assertThat(v2.usage(id).orElseThrow().memoryLimitBytes()).isZero();
        assertThat(v2.usage(id).orElseThrow().oomKills()).as("no memory.events: none counted").isZero();
    }
}
