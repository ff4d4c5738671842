package io.stratus.controlplane.updates;

/** Where one database stands in a rolling update. */
public enum ItemState {
    /** Not touched yet. */
    PENDING,
    /** Its new target is in its spec and its agent's restart task is open. */
    UPDATING,
    /** On the target (a suspended one: it starts on it next time). */
    UPDATED,
    /** The target failed on it: rolled back by its agent, the previous target back in its spec. */
    FAILED,
    /** Left out: deleted meanwhile, or the update was aborted or rolled back before its turn. */
    SKIPPED,
    /** Being taken back to what it ran before the update (a rollback). */
    REVERTING,
    /** Back on what it ran before the update. */
    REVERTED;

    boolean inFlight() {
        return this == UPDATING || this == REVERTING;
    }

    /** Done with, as far as going forward is concerned. */
    boolean settled() {
        return this == UPDATED || this == FAILED || this == SKIPPED || this == REVERTED;
    }
}
