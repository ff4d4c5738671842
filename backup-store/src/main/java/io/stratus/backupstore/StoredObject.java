package io.stratus.backupstore;

import java.time.Instant;
import java.util.Objects;

/** One stored object: its key (without the store's own prefix), size in bytes and when it was last written. */
public record StoredObject(String key, long size, Instant lastModified) {
    public StoredObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lastModified, "lastModified");
    }
}
