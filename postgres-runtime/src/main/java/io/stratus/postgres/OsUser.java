package io.stratus.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OS user that Postgres processes run as. Postgres refuses to run as root, so a JVM running as root
 * runs every Postgres command through {@code runuser} as an unprivileged user ({@code postgres} by default);
 * a JVM running as anyone else runs them as itself.
 */
public final class OsUser {

    private static final Logger log = LoggerFactory.getLogger(OsUser.class);
    private static final boolean ROOT = "0".equals(ProcessRunner.run(List.of("id", "-u"), Duration.ofSeconds(5)).output());

    private final String name;

    private OsUser(String name) {
        this.name = name;
    }

    /**
     * The user to run Postgres as: {@code configured} when running as root (created as a system user if missing),
     * otherwise the current user.
     */
    public static OsUser forPostgres(String configured) {
        if (!ROOT) {
            return new OsUser(System.getProperty("user.name"));
        }
        String user = configured == null || configured.isBlank() ? "postgres" : configured;
        if (!ProcessRunner.run(List.of("id", "-u", user), Duration.ofSeconds(5)).ok()) {
            log.info("creating system user {} to run Postgres (Postgres refuses to run as root)", user);
            ProcessRunner.runOrThrow(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user),
                    Duration.ofSeconds(20));
        }
        return new OsUser(user);
    }

    public static boolean runningAsRoot() {
        return ROOT;
    }

    public String name() {
        return name;
    }

    /** True when commands need {@code runuser} to switch to this user. */
    public boolean switches() {
        return ROOT && !"root".equals(name);
    }

    /** The command, wrapped so that it runs as this user. */
    public List<String> command(List<String> command) {
        if (!switches()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives this user ownership of the path and everything below it. */
    public void own(Path path) {
        if (!switches()) {
            return;
        }
        try {
            UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
            try (Stream<Path> all = Files.walk(path)) {
                for (Path p : (Iterable<Path>) all::iterator) {
                    Files.setOwner(p, owner);
                }
            }
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot give " + path + " to " + name, e);
        }
    }

    /**
     * Makes sure this user can reach {@code dir}: every parent must be traversable (x) by it. A parent that is
     * not (a 0700 home or a {@code mktemp -d} folder) gets the traverse bit for others, and only that bit:
     * nothing becomes listable or readable.
     */
    public void ensureCanTraverse(Path dir) {
        if (!switches()) {
            return;
        }
        Path abs = dir.toAbsolutePath().normalize();
        for (Path p = abs.getParent(); p != null; p = p.getParent()) {
            try {
                if (!Files.isDirectory(p)) {
                    continue;
                }
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE) && !ownedBy(p)) {
                    Set<PosixFilePermission> widened = EnumSet.copyOf(perms);
                    widened.add(PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(p, widened);
                    log.warn("granted traverse-only permission (o+x) on {} so that user {} can reach {}", p, name, abs);
                }
            } catch (IOException | UnsupportedOperationException e) {
                throw new PostgresRuntimeException("cannot make " + p + " traversable for " + name, e);
            }
        }
    }

    private boolean ownedBy(Path p) throws IOException {
        return name.equals(Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName());
    }
}
