package io.stratus.agent.capacity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * cgroup v2: one group {@code <parent>/<computeId>} in the unified hierarchy, limited by {@code cpu.max} (with
 * {@code cpu.max.burst} where the kernel has it) and {@code memory.max}. Every group from the mount point down to the parent delegates the cpu and memory controllers
 * to its children ({@code cgroup.subtree_control}); v2 allows that only in groups without processes of their own
 * (the root excepted), so the parent holds none and each compute group is a leaf.
 */
public final class CgroupV2Driver implements CgroupDriver {

    public static final String ENFORCEMENT = "cgroup-v2";
    static final String CONTROLLERS = "+cpu +memory";
    private static final String UNLIMITED = "max";

    private final Path mount;
    private final Path parent;

    /**
     * @param mount  the cgroup2 mount point, e.g. {@code /sys/fs/cgroup}
     * @param parent the parent group relative to it, e.g. {@code stratus}
     */
    CgroupV2Driver(Path mount, String parent) {
        this.mount = mount;
        this.parent = mount.resolve(parent);
    }

    @Override
    public String enforcement() {
        return ENFORCEMENT;
    }

    public Path group(UUID computeId) {
        return parent.resolve(computeId.toString());
    }

    /** Creates the parent chain where missing and delegates cpu and memory at every level. */
    void ensureParent() throws CgroupException {
        Path dir = mount;
        delegate(dir);
        for (Path segment : mount.relativize(parent)) {
            dir = dir.resolve(segment);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new CgroupException("cannot create " + dir + ": " + CgroupFiles.reason(e), e);
            }
            delegate(dir);
        }
    }

    private static void delegate(Path dir) throws CgroupException {
        Path file = dir.resolve("cgroup.subtree_control");
        try {
            Set<String> enabled = Set.copyOf(Arrays.asList(CgroupFiles.read(file).split("\\s+")));
            if (!enabled.contains("cpu") || !enabled.contains("memory")) {
                CgroupFiles.write(file, CONTROLLERS);
            }
        } catch (IOException e) {
            throw new CgroupException("cannot delegate cpu and memory in " + file + ": " + CgroupFiles.reason(e), e);
        }
    }

    @Override
    public boolean applyLimits(UUID computeId, CgroupLimits limits) throws CgroupException {
        Path group = group(computeId);
        boolean created = false;
        if (!Files.isDirectory(group)) {
            ensureParent();
            try {
                Files.createDirectories(group);
            } catch (IOException e) {
                throw new CgroupException("cannot create " + group + ": " + CgroupFiles.reason(e), e);
            }
            created = true;
        }
        return writeLimits(group, limits) || created;
    }

    @Override
    public boolean updateLimitsIfPresent(UUID computeId, CgroupLimits limits) throws CgroupException {
        Path group = group(computeId);
        return Files.isDirectory(group) && writeLimits(group, limits);
    }

    private static boolean writeLimits(Path group, CgroupLimits limits) throws CgroupException {
        boolean changed;
        try {
            changed = CgroupFiles.writeQuotaAndBurst(() -> CgroupFiles.writeIfDiffers(group.resolve("cpu.max"),
                    limits.cpuQuotaMicros() + " " + limits.cpuPeriodMicros()), group.resolve("cpu.max.burst"),
                    limits.cpuBurstMicros());
        } catch (IOException | NumberFormatException e) {
            throw CgroupFiles.cannotWrite("the cpu limits of " + group, e);
        }
        Path memoryMax = group.resolve("memory.max");
        try {
            // Lowering it below what the group uses makes the kernel reclaim, and OOM-kill if it cannot.
            return CgroupFiles.writeIfDiffers(memoryMax, String.valueOf(limits.memoryBytes())) | changed;
        } catch (IOException e) {
            throw CgroupFiles.cannotWrite(memoryMax.toString(), e);
        }
    }

    @Override
    public int enroll(UUID computeId, long postmasterPid) throws CgroupException {
        return CgroupFiles.enroll(group(computeId), postmasterPid);
    }

    @Override
    public boolean contains(UUID computeId, long pid) {
        try {
            return CgroupFiles.pids(group(computeId).resolve("cgroup.procs")).contains(pid);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<CgroupUsage> usage(UUID computeId) {
        Path group = group(computeId);
        try {
            Map<String, Long> cpuStat = CgroupFiles.keyedLongs(group.resolve("cpu.stat"));
            Map<String, Long> memoryStat = CgroupFiles.keyedLongs(group.resolve("memory.stat"));
            String max = CgroupFiles.read(group.resolve("memory.max"));
            Long usageMicros = cpuStat.get("usage_usec");
            return Optional.of(new CgroupUsage(
                    usageMicros != null ? OptionalLong.of(usageMicros * 1000) : OptionalLong.empty(),
                    cpuStat.getOrDefault("nr_periods", 0L), cpuStat.getOrDefault("nr_throttled", 0L),
                    CgroupFiles.readLong(group.resolve("memory.current")), memoryStat.getOrDefault("inactive_file", 0L),
                    UNLIMITED.equals(max) ? 0 : Long.parseLong(max),
                    CgroupFiles.optionalCounter(group.resolve("memory.events"), "oom_kill")));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void remove(UUID computeId) throws CgroupException {
        CgroupFiles.removeGroup(group(computeId));
    }

    @Override
    public Set<UUID> groups() {
        return CgroupFiles.groupIds(parent);
    }

    @Override
    public void removeParentIfEmpty() {
        CgroupFiles.removeIfEmpty(parent);
    }

    @Override
    public String toString() {
        return "cgroup v2 (" + parent + ")";
    }
}
