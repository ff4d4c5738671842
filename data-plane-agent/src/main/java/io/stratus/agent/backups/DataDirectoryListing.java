package io.stratus.agent.backups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files of a data directory that a base backup copies, by the rules pg_basebackup follows: a hot backup leaves out
 * what Postgres rebuilds or discards at start (the WAL, which comes from the archive instead, temporary and runtime
 * state, the postmaster's lock files), keeping the directories themselves; a cold one (a stopped compute) keeps its
 * WAL, which is what makes it consistent. Neither copies the compute's log or recovery signal files: a restored
 * compute is a primary of its own, and the node decides whether it is read-only.
 */
final class DataDirectoryListing {

    /** Directories whose contents are not copied (they are made empty). */
    private static final Set<String> CONTENTS_LEFT_OUT = Set.of("pg_stat_tmp", "pg_replslot", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");
    private static final Set<String> FILES_LEFT_OUT = Set.of("postmaster.pid", "postmaster.opts", "pg_internal.init",
            "backup_label", "tablespace_map", "backup_manifest", "current_logfiles", "postgres.log", "standby.signal",
            "recovery.signal", "backup_label.old");

    record Listing(List<String> directories, List<String> files) {
    }

    private DataDirectoryListing() {
    }

    static Listing of(Path pgdata, boolean hot) {
        List<String> directories = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try {
            Files.walkFileTree(pgdata, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (dir.equals(pgdata)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String rel = relative(pgdata, dir);
                    if (dir.getFileName().toString().startsWith("pgsql_tmp")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    directories.add(rel);
                    boolean walLeftOut = hot && (rel.equals("pg_wal") || rel.startsWith("pg_wal/"));
                    if (CONTENTS_LEFT_OUT.contains(rel) || walLeftOut) {
                        if (rel.equals("pg_wal")) {
                            directories.add("pg_wal/archive_status");
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    if (attrs.isRegularFile() && !FILES_LEFT_OUT.contains(name) && !name.startsWith("pgsql_tmp")) {
                        files.add(relative(pgdata, file));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // dropped while we walked: replay of the WAL drops it too
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + pgdata, e);
        }
        return new Listing(List.copyOf(directories), files.stream().sorted().toList());
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }
}
