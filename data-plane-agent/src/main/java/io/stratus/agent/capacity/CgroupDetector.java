package io.stratus.agent.capacity;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once at start, how this host lets the agent enforce CU: cgroup v2 if the unified hierarchy has the cpu
 * and memory controllers, else cgroup v1 if it has cpu and memory hierarchies, else nothing. A candidate counts only
 * after a probe did for real what computes will need: create a group, write its limits, move a process into it, read
 * its counters and remove it. Mounted but read-only (a container), delegated elsewhere, or refused for lack of
 * privilege all end in {@link NoCgroupDriver}, with the reason in the log.
 */
public final class CgroupDetector {

    /** Values of {@code stratus.agent.cgroups}: {@code auto} probes v2 then v1; a version probes only that one. */
    public static final Set<String> MODES = Set.of("auto", "v2", "v1", "none");

    private static final Logger log = LoggerFactory.getLogger(CgroupDetector.class);
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    /** Limits for the probe group: anything valid does; sleep needs neither. */
    private static final CgroupLimits PROBE_LIMITS = CapacityUnit.DEFAULT.limits(new BigDecimal("0.25"));

    private CgroupDetector() {
    }

    /** One cgroup filesystem mount: v2, or a v1 hierarchy with its controllers. */
    record CgroupMount(Path mountPoint, boolean v2, Set<String> controllers) {
    }

    /**
     * @param mode   {@code auto}, {@code v2}, {@code v1} or {@code none}
     * @param parent the parent group for computes' groups, relative to each hierarchy's mount point
     */
    public static CgroupDriver detect(String mode, String parent) {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            log.warn("CU enforcement: none (cannot read {}: {})", MOUNTINFO, e.getMessage());
            return new NoCgroupDriver();
        }
        return detect(mode, parent, parse(lines));
    }

    static CgroupDriver detect(String mode, String parent, List<CgroupMount> mounts) {
        if ("none".equals(mode)) {
            log.info("CU enforcement: none (stratus.agent.cgroups=none)");
            return new NoCgroupDriver();
        }
        List<String> reasons = new ArrayList<>();
        if (!"v1".equals(mode)) {
            Optional<CgroupDriver> v2 = v2(mounts, parent, reasons).flatMap(d -> probe(d, reasons));
            if (v2.isPresent()) {
                log.info("CU enforcement: {}", v2.get());
                return v2.get();
            }
        }
        if (!"v2".equals(mode)) {
            Optional<CgroupDriver> v1 = v1(mounts, parent, reasons).flatMap(d -> probe(d, reasons));
            if (v1.isPresent()) {
                log.info("CU enforcement: {}{}", v1.get(), reasons.isEmpty() ? "" : " (" + String.join("; ", reasons) + ")");
                return v1.get();
            }
        }
        log.warn("CU enforcement: none, CU limits are not enforced on this host ({})", String.join("; ", reasons));
        return new NoCgroupDriver();
    }

    /** The cgroup mounts in {@code /proc/self/mountinfo} lines, in mount order. */
    static List<CgroupMount> parse(List<String> mountinfo) {
        List<CgroupMount> mounts = new ArrayList<>();
        for (String line : mountinfo) {
            // "36 35 0:31 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu": fields after " - " are
            // the filesystem type, the source and the superblock options (a v1 hierarchy's controllers).
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] head = line.substring(0, dash).split(" ");
            String[] tail = line.substring(dash + 3).split(" ");
            if (head.length < 5 || tail.length < 3) {
                continue;
            }
            Path mountPoint = Path.of(unescape(head[4]));
            if (tail[0].equals("cgroup2")) {
                mounts.add(new CgroupMount(mountPoint, true, Set.of()));
            } else if (tail[0].equals("cgroup")) {
                mounts.add(new CgroupMount(mountPoint, false, Set.copyOf(Arrays.asList(tail[2].split(",")))));
            }
        }
        return mounts;
    }

    private static Optional<CgroupDriver> v2(List<CgroupMount> mounts, String parent, List<String> reasons) {
        Optional<CgroupMount> unified = mounts.stream().filter(CgroupMount::v2).findFirst();
        if (unified.isEmpty()) {
            reasons.add("no cgroup v2 mount");
            return Optional.empty();
        }
        Path mount = unified.get().mountPoint();
        try {
            Set<String> controllers = Set.copyOf(Arrays.asList(
                    CgroupFiles.read(mount.resolve("cgroup.controllers")).split("\\s+")));
            if (!controllers.contains("cpu") || !controllers.contains("memory")) {
                reasons.add("cgroup v2 at " + mount + " lacks the cpu or memory controller");
                return Optional.empty();
            }
        } catch (IOException e) {
            reasons.add("cannot read " + mount.resolve("cgroup.controllers") + ": " + CgroupFiles.reason(e));
            return Optional.empty();
        }
        CgroupV2Driver driver = new CgroupV2Driver(mount, parent);
        try {
            driver.ensureParent();
        } catch (CgroupException e) {
            reasons.add("cgroup v2: " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(driver);
    }

    private static Optional<CgroupDriver> v1(List<CgroupMount> mounts, String parent, List<String> reasons) {
        Optional<Path> cpu = v1Mount(mounts, "cpu");
        Optional<Path> memory = v1Mount(mounts, "memory");
        if (cpu.isEmpty() || memory.isEmpty()) {
            reasons.add("no cgroup v1 " + (cpu.isEmpty() ? "cpu" : "memory") + " hierarchy");
            return Optional.empty();
        }
        return Optional.of(new CgroupV1Driver(cpu.get(), v1Mount(mounts, "cpuacct").orElse(null), memory.get(), parent));
    }

    private static Optional<Path> v1Mount(List<CgroupMount> mounts, String controller) {
        return mounts.stream().filter(m -> !m.v2() && m.controllers().contains(controller)).map(CgroupMount::mountPoint)
                .findFirst();
    }

    /**
     * Does once what computes will need, on a throwaway group named by a random UUID (a crash mid-probe leaves a group
     * the reconciler removes as an orphan): create it, limit it, move a {@code sleep} into it, read it, remove it.
     */
    private static Optional<CgroupDriver> probe(CgroupDriver driver, List<String> reasons) {
        UUID probe = UUID.randomUUID();
        Process sleep = null;
        boolean failed = false;
        try {
            driver.applyLimits(probe, PROBE_LIMITS);
            sleep = new ProcessBuilder("sleep", "30").redirectErrorStream(true).start();
            driver.enroll(probe, sleep.pid());
            if (!driver.contains(probe, sleep.pid())) {
                throw new CgroupException("a process moved into the probe group is not listed in it");
            }
            if (driver.usage(probe).isEmpty()) {
                throw new CgroupException("cannot read the probe group's counters");
            }
            return Optional.of(driver);
        } catch (CgroupException | IOException e) {
            reasons.add(driver.enforcement() + " probe failed: " + e.getMessage());
            failed = true;
            return Optional.empty();
        } finally {
            if (sleep != null) {
                sleep.destroyForcibly();
                try {
                    sleep.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                driver.remove(probe);
            } catch (CgroupException e) {
                log.warn("cannot remove cgroup probe group: {}", e.getMessage());
            }
            if (failed) {
                driver.removeParentIfEmpty();
            }
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
