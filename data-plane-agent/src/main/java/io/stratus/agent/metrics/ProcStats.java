package io.stratus.agent.metrics;

import io.stratus.agent.support.ProcessTree;
import io.stratus.postgres.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * CPU and memory of a postmaster and its children from {@code /proc}, for computes that are not in a cgroup.
 */
final class ProcStats {

    /** Clock ticks per second, the unit of CPU times in /proc/&lt;pid&gt;/stat ({@code getconf CLK_TCK}). */
    static final long CLOCK_TICKS = clockTicks();
    private static final long DEFAULT_CLOCK_TICKS = 100;
    private static final long KIB = 1024;

    private ProcStats() {
    }

    /**
     * CPU time used by the postmaster (its own, plus {@code cutime}/{@code cstime}: children it has reaped) and by its
     * live children, in nanoseconds. A backend's time moves from its own line into the postmaster's {@code cutime}
     * when it exits and is reaped, so the sum only grows; only the last tick of a short-lived process may be lost.
     *
     * @return empty when the postmaster is gone
     */
    static OptionalLong cpuNanos(long postmasterPid) {
        long[] own = statTimes(postmasterPid);
        if (own == null) {
            return OptionalLong.empty();
        }
        long ticks = own[0] + own[1] + own[2] + own[3];
        for (long child : ProcessTree.children(postmasterPid)) {
            long[] t = statTimes(child);
            if (t != null) {
                ticks += t[0] + t[1];
            }
        }
        return OptionalLong.of(ticks * 1_000_000_000L / CLOCK_TICKS);
    }

    /**
     * An approximate working set of the postmaster and its children: their private resident memory ({@code RssAnon})
     * summed, plus the largest shared part ({@code RssShmem + RssFile}) of any one of them. Summing {@code VmRSS}
     * would count shared_buffers once per backend that touched it; counting the largest shared part once
     * under-counts pages that different backends touched separately. Without a cgroup there is nothing exact.
     */
    static long workingSetBytes(long postmasterPid) {
        long privateBytes = 0;
        long sharedBytes = 0;
        List<Long> children = ProcessTree.children(postmasterPid);
        long[] pids = new long[children.size() + 1];
        pids[0] = postmasterPid;
        for (int i = 0; i < children.size(); i++) {
            pids[i + 1] = children.get(i);
        }
        for (long pid : pids) {
            long[] rss = rss(pid);
            if (rss != null) {
                privateBytes += rss[0];
                sharedBytes = Math.max(sharedBytes, rss[1] + rss[2]);
            }
        }
        return privateBytes + sharedBytes;
    }

    /** utime, stime, cutime, cstime (fields 14 to 17 of /proc/&lt;pid&gt;/stat), in ticks; null when gone. */
    private static long[] statTimes(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields are counted from the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state), so field n is f[n - 3].
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** RssAnon, RssFile, RssShmem in bytes; null when gone. */
    private static long[] rss(long pid) {
        try {
            long[] rss = new long[3];
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"), StandardCharsets.US_ASCII)) {
                int slot = line.startsWith("RssAnon:") ? 0 : line.startsWith("RssFile:") ? 1 : line.startsWith("RssShmem:") ? 2 : -1;
                if (slot >= 0) {
                    // "RssAnon:	    1234 kB"
                    rss[slot] = Long.parseLong(line.substring(line.indexOf(':') + 1).replace("kB", "").trim()) * KIB;
                }
            }
            return rss;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long clockTicks() {
        ProcessRunner.Result r = ProcessRunner.run(List.of("getconf", "CLK_TCK"), Duration.ofSeconds(5));
        try {
            long ticks = r.ok() ? Long.parseLong(r.output().trim()) : DEFAULT_CLOCK_TICKS;
            return ticks > 0 ? ticks : DEFAULT_CLOCK_TICKS;
        } catch (NumberFormatException e) {
            return DEFAULT_CLOCK_TICKS;
        }
    }
}
