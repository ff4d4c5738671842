package io.stratus.backupstore;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where base backups and WAL are kept. Keys are '/'-separated relative paths, e.g.
 * {@code "db/<uuid>/base/<backupId>/base/16384/1259"}.
 *
 * <p>Open one with {@link BackupStores#open(BackupStoreSettings)}. Implementations are safe for concurrent use.
 */
public interface BackupStore extends AutoCloseable {

    /**
     * Stores exactly {@code length} bytes read from content under key; atomic: a reader never sees a partial
     * object, a failed put leaves nothing (or the previous object). Overwrites.
     */
    StoredObject put(String key, InputStream content, long length) throws BackupStoreException;

    /** The object's bytes; BackupStoreException with reason MISSING when absent. Caller closes. */
    InputStream get(String key) throws BackupStoreException;

    /** Metadata, empty when absent. */
    Optional<StoredObject> stat(String key) throws BackupStoreException;

    /** Every object whose key starts with prefix, sorted by key (all pages). */
    List<StoredObject> list(String prefix) throws BackupStoreException;

    /** Deletes the keys; absent keys are fine (idempotent). Batches where the store allows (S3 DeleteObjects, 1000 per call). */
    void delete(Collection<String> keys) throws BackupStoreException;

    /** For messages and logs, without credentials: "s3://bucket/prefix" or "file:///dir". */
    String describe();

    @Override
    void close();
}
