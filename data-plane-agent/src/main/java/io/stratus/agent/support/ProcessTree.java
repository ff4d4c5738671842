package io.stratus.agent.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A process's children and descendants, from {@code /proc/<pid>/task/<tid>/children}: a few small reads, where
 * {@link ProcessHandle#children()} scans every process on the host. Kernels without that file (it needs
 * CONFIG_PROC_CHILDREN, on in common distributions) fall back to {@link ProcessHandle}.
 */
public final class ProcessTree {

    private static final boolean CHILDREN_FILES = Files.exists(Path.of("/proc/thread-self/children"));

    private ProcessTree() {
    }

    /** Direct children of a process, over all of its threads; empty for a process that is gone. */
    public static List<Long> children(long pid) {
        if (!CHILDREN_FILES) {
            return ProcessHandle.of(pid).map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(List.of());
        }
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path thread : threads) {
                String list = Files.readString(thread.resolve("children"), StandardCharsets.US_ASCII).trim();
                if (!list.isEmpty()) {
                    for (String p : list.split("\\s+")) {
                        children.add(Long.parseLong(p));
                    }
                }
            }
        } catch (IOException e) {
            // Exited (or one of its threads did) while being read: what was read is what there is.
        }
        return children;
    }

    /** Every live process below {@code pid}, breadth first. */
    public static List<Long> descendants(long pid) {
        List<Long> found = new ArrayList<>();
        Deque<Long> queue = new ArrayDeque<>(children(pid));
        Set<Long> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            long p = queue.poll();
            if (seen.add(p)) {
                found.add(p);
                queue.addAll(children(p));
            }
        }
        return found;
    }
}
