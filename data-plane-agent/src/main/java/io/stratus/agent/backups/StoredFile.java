package io.stratus.agent.backups;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/** One data-directory file copied into the store, with the SHA-256 of exactly the bytes stored. */
final class StoredFile {

    private StoredFile() {
    }

    /**
     * Stores the file as long as it was when opened. A file a running server truncates meanwhile is padded with zeros
     * to that length, as pg_basebackup does: replaying the WAL from the backup's start redoes the truncation. Empty
     * when the file is gone before it could be opened (a table dropped meanwhile: the replay drops it as well).
     */
    static Optional<BackupManifest.Entry> put(BackupStore store, String key, Path file, String relativePath)
            throws IOException {
        InputStream raw;
        long length;
        try {
            raw = Files.newInputStream(file);
            length = Files.size(file);
        } catch (java.nio.file.NoSuchFileException gone) {
            return Optional.empty();
        }
        MessageDigest digest = sha256();
        try (InputStream in = new Padded(raw, length, digest)) {
            store.put(key, in, length);
        }
        return Optional.of(new BackupManifest.Entry(relativePath, length, HexFormat.of().formatHex(digest.digest())));
    }

    /** Stores bytes made here (backup_label, the manifest). */
    static BackupManifest.Entry put(BackupStore store, String key, byte[] content, String relativePath)
            throws BackupStoreException {
        store.put(key, new java.io.ByteArrayInputStream(content), content.length);
        return new BackupManifest.Entry(relativePath, content.length, HexFormat.of().formatHex(sha256().digest(content)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exactly {@code length} bytes of {@code in} (zeros past its end), each one added to the digest. */
    private static final class Padded extends InputStream {
        private final InputStream in;
        private final MessageDigest digest;
        private long left;
        private boolean ended;

        Padded(InputStream in, long length, MessageDigest digest) {
            this.in = in;
            this.left = length;
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int want = (int) Math.min(len, left);
            int n = ended ? -1 : in.read(b, off, want);
            if (n < 0) {
                ended = true;
                java.util.Arrays.fill(b, off, off + want, (byte) 0);
                n = want;
            }
            digest.update(b, off, n);
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
