package io.stratus.controlplane.databases;

import java.util.Comparator;
import java.util.UUID;

/** The order in which several database rows are locked (see {@link DatabaseRepository}). */
public final class LockOrder {

    /**
     * Ids as PostgreSQL orders {@code uuid}s (byte by byte, unsigned), which is the order of a locking query's
     * {@code ORDER BY id}. Not {@link UUID#compareTo}: it compares signed halves, so ids from {@code 8} on come first,
     * and a metrics report locking in that order deadlocked with a status report locking in Postgres's. The canonical
     * lower-case text sorts like the bytes.
     */
    public static final Comparator<UUID> BY_ID = Comparator.comparing(UUID::toString);

    private LockOrder() {
    }
}
