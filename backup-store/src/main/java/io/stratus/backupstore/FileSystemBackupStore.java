package io.stratus.backupstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A backup store in a local directory: the embedded default. A key is a file under the root; a put writes a
 * temporary file beside its target, fsyncs it, renames it over the target and fsyncs the directory, so a crash
 * leaves either the old object or the new one, never a torn one.
 */
public final class FileSystemBackupStore implements BackupStore {

    /** Temporary files of puts under way (or killed mid-way) start with this; lists never show them. */
    static final String TEMP_PREFIX = ".stratus-put-";
    private static final int COPY_BUFFER = 256 * 1024;
    /** A concurrent delete may prune the directory a put just created: creating it again is enough. */
    private static final int DIRECTORY_RACE_ATTEMPTS = 3;

    private final Path root;

    public FileSystemBackupStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public StoredObject put(String key, InputStream content, long length) throws BackupStoreException {
        Path target = resolve(key);
        if (target.getFileName().toString().startsWith(TEMP_PREFIX)) {
            throw new IllegalArgumentException("a backup store key must not name a temporary file: " + key);
        }
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        Path temp = null;
        try {
            for (int attempt = 1; temp == null; attempt++) {
                ensureDirectory(target.getParent());
                try {
                    temp = Files.createFile(target.resolveSibling(TEMP_PREFIX + UUID.randomUUID()));
                } catch (NoSuchFileException e) {
                    if (attempt >= DIRECTORY_RACE_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                copyExactly(content, Channels.newOutputStream(channel), length, key);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            fsyncDirectory(target.getParent());
            return new StoredObject(key, length, Files.getLastModifiedTime(target).toInstant());
        } catch (IOException e) {
            throw failure("put", key, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The put already failed; a leftover temp file is invisible to lists and to later puts.
                }
            }
        }
    }

    @Override
    public InputStream get(String key) throws BackupStoreException {
        Path file = resolve(key);
        if (Files.isDirectory(file)) {
            throw new BackupStoreException(BackupStoreException.Reason.MISSING, "no object " + key + " in "
                    + describe(), null);
        }
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw failure("get", key, e);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) throws BackupStoreException {
        Path file = resolve(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new StoredObject(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("stat", key, e);
        }
    }

    @Override
    public List<StoredObject> list(String prefix) throws BackupStoreException {
        Keys.requireValidPrefix(prefix);
        // Walk only the deepest directory the prefix names in full.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<StoredObject> objects = new ArrayList<>();
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (attributes.isRegularFile() && !file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                        String key = keyOf(file);
                        if (key.startsWith(prefix)) {
                            objects.add(new StoredObject(key, attributes.size(),
                                    attributes.lastModifiedTime().toInstant()));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // deleted while we walked
                    }
                    throw e;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw failure("list", prefix, e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        }
        objects.sort(Comparator.comparing(StoredObject::key));
        return objects;
    }

    @Override
    public void delete(Collection<String> keys) throws BackupStoreException {
        for (String key : keys) {
            Path file = resolve(key);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw failure("delete", key, e);
            }
            pruneEmptyParents(file.getParent());
        }
    }

    @Override
    public String describe() {
        // Path.toUri ends with '/' only while the directory exists: the description must not change with that.
        String uri = root.toUri().toString();
        return uri.endsWith("/") && uri.length() > "file:///".length() ? uri.substring(0, uri.length() - 1) : uri;
    }

    @Override
    public void close() {
        // Nothing held open.
    }

    private Path resolve(String key) {
        Keys.requireValidKey(key);
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("key escapes the store: " + key);
        }
        return path;
    }

    private String keyOf(Path file) {
        Path relative = root.relativize(file);
        StringBuilder key = new StringBuilder();
        for (Path part : relative) {
            if (!key.isEmpty()) {
                key.append('/');
            }
            key.append(part);
        }
        return key.toString();
    }

    /** Creates the missing directories from the root down, fsyncing each new one's parent so it survives a crash. */
    private void ensureDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        ensureDirectory(directory.getParent());
        try {
            Files.createDirectory(directory);
            fsyncDirectory(directory.getParent());
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(directory)) {
                throw e;
            }
        }
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Best effort: empty directories left by deletes (a dropped database's WAL) go, up to the root. */
    private void pruneEmptyParents(Path directory) {
        while (directory != null && directory.startsWith(root) && !directory.equals(root)) {
            try {
                Files.delete(directory);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            } catch (IOException e) {
                return;
            }
            directory = directory.getParent();
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long length, String key) throws IOException {
        byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(length, 1))];
        long remaining = length;
        while (remaining > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (read < 0) {
                throw new IOException("content of " + key + " ended after " + (length - remaining) + " of " + length
                        + " bytes");
            }
            out.write(buffer, 0, read);
            remaining -= read;
        }
        out.flush();
    }

    private BackupStoreException failure(String operation, String key, IOException e) {
        if (e instanceof BackupStoreException b) {
            return b;
        }
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException) {
            if (operation.equals("get")) {
                return new BackupStoreException(BackupStoreException.Reason.MISSING,
                        "no object " + key + " in " + describe(), e);
            }
        }
        if (e instanceof AccessDeniedException) {
            return new BackupStoreException(BackupStoreException.Reason.DENIED,
                    operation + " " + key + " in " + describe() + ": permission denied (" + e.getMessage() + ")", e);
        }
        // Disk full lands here: the message ("No space left on device") says so.
        return new BackupStoreException(BackupStoreException.Reason.FAILED,
                operation + " " + key + " in " + describe() + " failed: " + e, e);
    }
}
