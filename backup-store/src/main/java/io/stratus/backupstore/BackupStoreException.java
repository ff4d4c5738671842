package io.stratus.backupstore;

import java.io.IOException;
import java.util.Objects;

/** A backup store operation that failed, with a small typed reason callers can act on. */
public class BackupStoreException extends IOException {

    public enum Reason {
        /** The store did not answer (connection refused, timed out): worth retrying later. */
        UNREACHABLE,
        /** The object is not there. */
        MISSING,
        /** The store refused the credentials or the operation (HTTP 403, permission denied). */
        DENIED,
        /** Anything else (disk full, a bad answer, an interrupted upload): the message says what. */
        FAILED
    }

    private final Reason reason;

    public BackupStoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " (" + reason + "): " + getMessage();
    }
}
