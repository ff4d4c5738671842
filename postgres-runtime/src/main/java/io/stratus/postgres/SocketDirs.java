package io.stratus.postgres;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Unix socket directories. A socket path may not exceed 107 bytes, and data directories live wherever the operator
 * (or a CI clone) put them, so sockets go to a short directory under /tmp named after the data directory.
 */
public final class SocketDirs {

    private SocketDirs() {
    }

    public static Path forData(Path dataDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return Path.of("/tmp", "stratus-" + HexFormat.of().formatHex(digest, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
