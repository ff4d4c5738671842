package io.stratus.agent.capacity;

import io.stratus.agent.support.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Reading and writing cgroup (and a few /proc) files; shared by the v1 and v2 drivers. */
final class CgroupFiles {

    /** A group whose last process is exiting is busy for a moment; wait this long for it to empty. */
    static final Duration REMOVE_PATIENCE = Duration.ofSeconds(5);
    private static final Duration REMOVE_PAUSE = Duration.ofMillis(50);

    private CgroupFiles() {
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    static long readLong(Path file) throws IOException {
        return Long.parseLong(read(file));
    }

    /**
     * One write(2) of {@code value}, no O_CREAT or O_TRUNC: that is what the kernel's cgroup files expect (and
     * {@code cgroup.procs} takes one pid per write).
     */
    static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }

    /** Writes {@code value} unless the file already holds it; true when it wrote. */
    static boolean writeIfDiffers(Path file, String value) throws IOException {
        if (read(file).equals(value)) {
            return false;
        }
        write(file, value);
        return true;
    }

    /** A write of the CPU quota (and period) that says whether it changed anything. */
    @FunctionalInterface
    interface QuotaWrite {
        boolean write() throws IOException;
    }

    /**
     * Writes a CPU quota and its burst in an order the kernel accepts at every step (it refuses a burst above the
     * quota, EINVAL): a lower burst before the quota, a higher one after it. Kernels before 5.14 have no burst file;
     * their computes get no burst.
     *
     * @return true when anything was written
     */
    static boolean writeQuotaAndBurst(QuotaWrite quota, Path burstFile, long burstMicros) throws IOException {
        if (!Files.exists(burstFile)) {
            return quota.write();
        }
        long current = readLong(burstFile);
        String burst = String.valueOf(burstMicros);
        if (current > burstMicros) {
            write(burstFile, burst);
        }
        boolean changed = quota.write();
        if (current < burstMicros) {
            write(burstFile, burst);
        }
        return changed || current != burstMicros;
    }

    /** {@code key value} lines, as in {@code cpu.stat} and {@code memory.stat}. */
    static Map<String, Long> keyedLongs(Path file) throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            int space = line.indexOf(' ');
            if (space > 0) {
                try {
                    values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1).trim()));
                } catch (NumberFormatException e) {
                    // Not a counter (v2 has a few "key value value" lines elsewhere); not ours to read.
                }
            }
        }
        return values;
    }

    /**
     * One counter of a keyed file, 0 when the file or the key is absent: for counters only some kernels have (v1's
     * {@code oom_kill} line came with 4.13), whose absence must not cost the rest of a reading.
     */
    static long optionalCounter(Path file, String key) throws IOException {
        try {
            return keyedLongs(file).getOrDefault(key, 0L);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }

    static Set<Long> pids(Path procsFile) throws IOException {
        Set<Long> pids = new HashSet<>();
        for (String line : Files.readAllLines(procsFile, StandardCharsets.US_ASCII)) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    /**
     * Moves the postmaster into the group, then every process already forked from it. Children forked after the
     * postmaster moved inherit the group, and the list is read after the move, so none slips through.
     *
     * @return how many processes were moved (0 when the postmaster was in already)
     */
    static int enroll(Path group, long postmasterPid) throws CgroupException {
        Path procs = group.resolve("cgroup.procs");
        try {
            if (pids(procs).contains(postmasterPid)) {
                return 0;
            }
            write(procs, String.valueOf(postmasterPid));
        } catch (IOException e) {
            throw new CgroupException("cannot move postmaster " + postmasterPid + " into " + group + ": " + reason(e), e);
        }
        int moved = 1;
        for (long pid : ProcessTree.descendants(postmasterPid)) {
            try {
                write(procs, String.valueOf(pid));
                moved++;
            } catch (IOException e) {
                // It exited between the listing and the write: nothing left to enforce.
            }
        }
        return moved;
    }

    /** Removes an (empty) group directory, waiting for exiting processes to leave it; absent is fine. */
    static void removeGroup(Path group) throws CgroupException {
        long deadline = System.nanoTime() + REMOVE_PATIENCE.toNanos();
        while (true) {
            try {
                Files.deleteIfExists(group);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new CgroupException("cannot remove " + group + ": " + reason(e), e);
                }
            }
            try {
                Thread.sleep(REMOVE_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CgroupException("interrupted while removing " + group);
            }
        }
    }

    /** The compute ids that have a group directory in {@code parent}. */
    static Set<UUID> groupIds(Path parent) {
        Set<UUID> ids = new HashSet<>();
        if (!Files.isDirectory(parent)) {
            return ids;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, Files::isDirectory)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                try {
                    UUID id = UUID.fromString(name);
                    if (id.toString().equals(name)) {
                        ids.add(id);
                    }
                } catch (IllegalArgumentException e) {
                    // A probe group or someone else's: not a compute.
                }
            }
        } catch (IOException e) {
            // Unreadable: report none rather than fail a caller that only tidies up.
        }
        return ids;
    }

    /** Best effort: {@code rmdir} a parent with no groups left in it. */
    static void removeIfEmpty(Path parent) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, Files::isDirectory)) {
            if (dirs.iterator().hasNext()) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        try {
            Files.deleteIfExists(parent);
        } catch (IOException e) {
            // Left behind; harmless and reused by the next start.
        }
    }

    /** A failed write of {@code what}, with the kernel's reason. */
    static CgroupException cannotWrite(String what, Exception e) {
        return new CgroupException("cannot write " + what + ": " + (e instanceof IOException io ? reason(io)
                : e.getMessage()), e);
    }

    /** The kernel's answer (EBUSY, EACCES, ...) as Java reports it, without the path repeated. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }
}
