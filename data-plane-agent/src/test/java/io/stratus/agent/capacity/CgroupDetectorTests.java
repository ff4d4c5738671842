package io.stratus.agent.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.agent.TestHost;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Detection, on fixtures and on this very host. The host test asserts what the host really offers, whatever it is:
 * a driver it picked must do for real what computes need, and a host it found nothing on gets no driver that pretends.
 */
class CgroupDetectorTests {

    /** This machine's layout: v1 hierarchies mounted one by one, and a v2 mount without controllers (hybrid). */
    private static final List<String> HYBRID = List.of(
            "24 1 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "25 24 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "26 24 0:24 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "27 24 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "28 24 0:26 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "29 24 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "30 1 8:1 / /tmp/with\\040space rw,relatime - ext4 /dev/sda1 rw");

    private final String parent = "stratus-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path scratch = Path.of("/tmp", parent);

    @AfterEach
    void cleanUp() throws IOException {
        TestHost.removeCgroups(parent);
        io.stratus.postgres.PostgresCluster.deleteRecursively(scratch);
    }

    @Test
    void readsEachV1HierarchyAndTheUnifiedMountFromMountinfo() {
        List<CgroupDetector.CgroupMount> mounts = CgroupDetector.parse(HYBRID);

        assertThat(mounts).containsExactly(
                new CgroupDetector.CgroupMount(Path.of("/sys/fs/cgroup/cpu"), false, Set.of("rw", "cpu")),
                new CgroupDetector.CgroupMount(Path.of("/sys/fs/cgroup/cpuacct"), false, Set.of("rw", "cpuacct")),
                new CgroupDetector.CgroupMount(Path.of("/sys/fs/cgroup/memory"), false, Set.of("rw", "memory")),
                new CgroupDetector.CgroupMount(Path.of("/sys/fs/cgroup/systemd"), false, Set.of("rw", "name=systemd")),
                new CgroupDetector.CgroupMount(Path.of("/sys/fs/cgroup/unified"), true, Set.of()));
    }

    @Test
    void readsACombinedCpuAndCpuacctHierarchy() {
        List<CgroupDetector.CgroupMount> mounts = CgroupDetector.parse(List.of(
                "31 24 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 - cgroup cgroup rw,cpu,cpuacct"));

        assertThat(mounts).singleElement().satisfies(m -> assertThat(m.controllers()).contains("cpu", "cpuacct"));
    }

    @Test
    void findsNothingToEnforceWithoutCgroupMounts() {
        assertThat(CgroupDetector.detect("auto", parent, List.of())).isInstanceOf(NoCgroupDriver.class);
    }

    @Test
    void enforcesNothingWhenToldNot() {
        CgroupDriver driver = CgroupDetector.detect("none", parent, CgroupDetector.parse(HYBRID));

        assertThat(driver.enforcement()).isEqualTo("none");
        assertThat(driver.enforces()).isFalse();
    }

    // Never pretend: a v2 mount without the cpu and memory controllers, or directories that look like hierarchies
    // but take no limits, give no driver.
    @Test
    void rejectsHierarchiesThatCannotReallyEnforce() throws Exception {
        Path unified = Files.createDirectories(scratch.resolve("unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "io pids\n");
        Path fakeCpu = Files.createDirectories(scratch.resolve("cpu"));
        Path fakeMemory = Files.createDirectories(scratch.resolve("memory"));
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));

        CgroupDriver driver = CgroupDetector.detect("auto", "stratus", List.of(
                new CgroupDetector.CgroupMount(unified, true, Set.of()),
                new CgroupDetector.CgroupMount(fakeCpu, false, Set.of("rw", "cpu")),
                new CgroupDetector.CgroupMount(fakeMemory, false, Set.of("rw", "memory"))));

        assertThat(driver).isInstanceOf(NoCgroupDriver.class);
        assertThat(fakeCpu.resolve("stratus")).doesNotExist();
    }

    @Test
    void driverDetectedOnThisHostDoesForRealWhatComputesNeed() throws Exception {
        CgroupDriver driver = CgroupDetector.detect("auto", parent);
        System.out.println("this host: " + driver);
        UUID id = UUID.randomUUID();
        CgroupLimits quarter = CapacityUnit.DEFAULT.limits(new BigDecimal("0.25"));

        if (driver instanceof NoCgroupDriver none) {
            assertThat(none.enforcement()).isEqualTo("none");
            assertThat(none.applyLimits(id, quarter)).isFalse();
            assertThat(none.usage(id)).isEmpty();
        } else if (driver instanceof CgroupV1Driver v1) {
            assertThat(v1.enforcement()).isEqualTo("cgroup-v1");
            assertThat(v1.applyLimits(id, quarter)).isTrue();
            assertThat(v1.applyLimits(id, quarter)).as("second time: nothing to write").isFalse();
            assertThat(v1.cpuGroup(id).resolve("cpu.cfs_quota_us")).content().isEqualToIgnoringNewLines("25000");
            assertThat(v1.cpuGroup(id).resolve("cpu.cfs_period_us")).content().isEqualToIgnoringNewLines("100000");
            assertThat(v1.memoryGroup(id).resolve("memory.limit_in_bytes")).content()
                    .isEqualToIgnoringNewLines(String.valueOf(1L << 30));
            Path burst = v1.cpuGroup(id).resolve("cpu.cfs_burst_us");
            if (Files.exists(burst)) {
                assertThat(burst).content().isEqualToIgnoringNewLines("25000");
                // The kernel refuses a quota below the burst and a burst above the quota: up and down again proves
                // each is written in an order it accepts.
                assertThat(v1.updateLimitsIfPresent(id, CapacityUnit.DEFAULT.limits(new BigDecimal("2")))).isTrue();
                assertThat(burst).content().isEqualToIgnoringNewLines("200000");
                assertThat(v1.updateLimitsIfPresent(id, quarter)).isTrue();
                assertThat(burst).content().isEqualToIgnoringNewLines("25000");
                assertThat(v1.cpuGroup(id).resolve("cpu.cfs_quota_us")).content().isEqualToIgnoringNewLines("25000");
            }
            assertEnrolsAndRemoves(v1, id, v1.groupDirs(id));
        } else if (driver instanceof CgroupV2Driver v2) {
            assertThat(v2.enforcement()).isEqualTo("cgroup-v2");
            assertThat(v2.applyLimits(id, quarter)).isTrue();
            assertThat(v2.group(id).resolve("cpu.max")).content().isEqualToIgnoringNewLines("25000 100000");
            assertThat(v2.group(id).resolve("memory.max")).content().isEqualToIgnoringNewLines(String.valueOf(1L << 30));
            assertEnrolsAndRemoves(v2, id, List.of(v2.group(id)));
        }
    }

    private static void assertEnrolsAndRemoves(CgroupDriver driver, UUID id, List<Path> dirs) throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            assertThat(driver.enroll(id, sleep.pid())).isEqualTo(1);
            assertThat(driver.enroll(id, sleep.pid())).as("already in").isZero();
            assertThat(driver.contains(id, sleep.pid())).isTrue();
            for (Path dir : dirs) {
                assertThat(Files.readAllLines(dir.resolve("cgroup.procs"))).contains(String.valueOf(sleep.pid()));
            }
            assertThat(driver.groups()).containsExactly(id);
            CgroupUsage usage = driver.usage(id).orElseThrow();
            assertThat(usage.memoryLimitBytes()).isEqualTo(1L << 30);
            assertThat(usage.workingSetBytes()).isLessThan(1L << 30);
        } finally {
            sleep.destroyForcibly();
            sleep.waitFor(5, TimeUnit.SECONDS);
        }
        driver.remove(id);
        for (Path dir : dirs) {
            assertThat(dir).doesNotExist();
        }
        assertThat(driver.groups()).isEmpty();
    }
}
