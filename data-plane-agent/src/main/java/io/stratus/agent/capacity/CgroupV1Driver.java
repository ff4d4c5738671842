package io.stratus.agent.capacity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * cgroup v1: a group {@code <parent>/<computeId>} in the {@code cpu}, {@code memory} and (when mounted)
 * {@code cpuacct} hierarchies, which may be separate mounts or shared ({@code cpu,cpuacct}). Limits are
 * {@code cpu.cfs_period_us}/{@code cpu.cfs_quota_us} (with {@code cpu.cfs_burst_us} where the kernel has it) and
 * {@code memory.limit_in_bytes}.
 */
public final class CgroupV1Driver implements CgroupDriver {

    public static final String ENFORCEMENT = "cgroup-v1";
    private static final long UNLIMITED_THRESHOLD = 1L << 62;

    private final Path cpuParent;
    /** Null when no hierarchy has cpuacct: CPU usage then comes from /proc. */
    private final Path cpuacctParent;
    private final Path memoryParent;

    /**
     * @param cpuMount     mount point of the hierarchy with the cpu controller
     * @param cpuacctMount mount point of the one with cpuacct (may equal {@code cpuMount}), or null
     * @param memoryMount  mount point of the one with the memory controller
     * @param parent       the parent group, relative to each mount point, e.g. {@code stratus}
     */
    CgroupV1Driver(Path cpuMount, Path cpuacctMount, Path memoryMount, String parent) {
        this.cpuParent = cpuMount.resolve(parent);
        this.cpuacctParent = cpuacctMount != null ? cpuacctMount.resolve(parent) : null;
        this.memoryParent = memoryMount.resolve(parent);
    }

    @Override
    public String enforcement() {
        return ENFORCEMENT;
    }

    /** The group directories of a compute, one per distinct hierarchy. */
    public List<Path> groupDirs(UUID computeId) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path parent : parents()) {
            dirs.add(parent.resolve(computeId.toString()));
        }
        return List.copyOf(dirs);
    }

    public Path cpuGroup(UUID computeId) {
        return cpuParent.resolve(computeId.toString());
    }

    public Path memoryGroup(UUID computeId) {
        return memoryParent.resolve(computeId.toString());
    }

    @Override
    public boolean applyLimits(UUID computeId, CgroupLimits limits) throws CgroupException {
        boolean created = false;
        for (Path dir : groupDirs(computeId)) {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new CgroupException("cannot create " + dir + ": " + CgroupFiles.reason(e), e);
                }
                created = true;
            }
        }
        return writeLimits(computeId, limits) || created;
    }

    @Override
    public boolean updateLimitsIfPresent(UUID computeId, CgroupLimits limits) throws CgroupException {
        for (Path dir : groupDirs(computeId)) {
            if (!Files.isDirectory(dir)) {
                return false;
            }
        }
        return writeLimits(computeId, limits);
    }

    private boolean writeLimits(UUID computeId, CgroupLimits limits) throws CgroupException {
        Path cpu = cpuGroup(computeId);
        boolean changed;
        try {
            changed = CgroupFiles.writeQuotaAndBurst(() -> CgroupFiles.writeIfDiffers(cpu.resolve("cpu.cfs_period_us"),
                            String.valueOf(limits.cpuPeriodMicros()))
                            | CgroupFiles.writeIfDiffers(cpu.resolve("cpu.cfs_quota_us"), String.valueOf(limits.cpuQuotaMicros())),
                    cpu.resolve("cpu.cfs_burst_us"), limits.cpuBurstMicros());
        } catch (IOException | NumberFormatException e) {
            throw CgroupFiles.cannotWrite("the cpu limits of " + cpu, e);
        }
        Path memoryLimit = memoryGroup(computeId).resolve("memory.limit_in_bytes");
        try {
            // Lowering it below what the group uses makes the kernel reclaim first; EBUSY when it cannot.
            return CgroupFiles.writeIfDiffers(memoryLimit, String.valueOf(limits.memoryBytes())) | changed;
        } catch (IOException | NumberFormatException e) {
            throw CgroupFiles.cannotWrite(memoryLimit.toString(), e);
        }
    }

    @Override
    public int enroll(UUID computeId, long postmasterPid) throws CgroupException {
        int moved = 0;
        // One hierarchy at a time: a process's group in one says nothing about its group in another.
        for (Path dir : groupDirs(computeId)) {
            moved = Math.max(moved, CgroupFiles.enroll(dir, postmasterPid));
        }
        return moved;
    }

    @Override
    public boolean contains(UUID computeId, long pid) {
        try {
            for (Path dir : groupDirs(computeId)) {
                if (!CgroupFiles.pids(dir.resolve("cgroup.procs")).contains(pid)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<CgroupUsage> usage(UUID computeId) {
        try {
            Path cpu = cpuGroup(computeId);
            Path memory = memoryGroup(computeId);
            OptionalLong cpuUsage = cpuacctParent != null
                    ? OptionalLong.of(CgroupFiles.readLong(cpuacctParent.resolve(computeId.toString()).resolve("cpuacct.usage")))
                    : OptionalLong.empty();
            Map<String, Long> cpuStat = CgroupFiles.keyedLongs(cpu.resolve("cpu.stat"));
            Map<String, Long> memoryStat = CgroupFiles.keyedLongs(memory.resolve("memory.stat"));
            return Optional.of(new CgroupUsage(cpuUsage, cpuStat.getOrDefault("nr_periods", 0L),
                    cpuStat.getOrDefault("nr_throttled", 0L), CgroupFiles.readLong(memory.resolve("memory.usage_in_bytes")),
                    memoryStat.getOrDefault("total_inactive_file", memoryStat.getOrDefault("inactive_file", 0L)),
                    limitOrZero(CgroupFiles.readLong(memory.resolve("memory.limit_in_bytes"))),
                    CgroupFiles.optionalCounter(memory.resolve("memory.oom_control"), "oom_kill")));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** v1 says "unlimited" with a huge page-aligned number (LONG_MAX rounded down to a page). */
    private static long limitOrZero(long limit) {
        return limit >= UNLIMITED_THRESHOLD ? 0 : limit;
    }

    @Override
    public void remove(UUID computeId) throws CgroupException {
        for (Path dir : groupDirs(computeId)) {
            CgroupFiles.removeGroup(dir);
        }
    }

    @Override
    public Set<UUID> groups() {
        Set<UUID> ids = new HashSet<>();
        for (Path parent : parents()) {
            ids.addAll(CgroupFiles.groupIds(parent));
        }
        return ids;
    }

    @Override
    public void removeParentIfEmpty() {
        for (Path parent : parents()) {
            CgroupFiles.removeIfEmpty(parent);
        }
    }

    private Set<Path> parents() {
        Set<Path> parents = new LinkedHashSet<>();
        parents.add(cpuParent);
        if (cpuacctParent != null) {
            parents.add(cpuacctParent);
        }
        parents.add(memoryParent);
        return parents;
    }

    @Override
    public String toString() {
        return "cgroup v1 (" + String.join(", ", parents().stream().map(Path::toString).toList()) + ")";
    }
}
