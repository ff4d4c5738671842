package io.stratus.controlplane.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Supplier;

/** Secrets kept in files of mode 0600, written atomically so a crash never leaves half a key. */
public final class SecretFiles {

    private SecretFiles() {
    }

    /** The secret in {@code file}, or a new one from {@code generator} written there first. */
    public static Secret readOrCreate(Path file, Supplier<String> generator) {
        try {
            if (Files.exists(file)) {
                return new Secret(Files.readString(file).trim(), false);
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            String value = generator.get();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, value + "\n");
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Secret(value, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep secret in " + file, e);
        }
    }

    public static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    /** A secret and whether this call created it. */
    public record Secret(String value, boolean created) {
    }
}
