package io.stratus.agent.computes;

/**
 * What a compute's storage limit asks of it, from what it stores and whether it is read-only now: the decision alone,
 * pure, so that it is tested without a postmaster ({@link StorageSteps} carries it out).
 *
 * <p>At the limit counts as over: a quota is the most that may be stored, and a compute exactly at it must not take
 * one more row. There is no hysteresis: a read-only compute cannot grow (no writes), so only a change of its limit (the
 * quota raised, another of the tenant's databases deleted or shrunk) can lift it, and that never flaps.
 */
final class StorageGuard {

    /** What to do. */
    enum Action {
        /** As it should be: writable under its limit (or without one), read-only at or over it. */
        KEEP,
        /** Writable at or over its limit: make it read-only. */
        LIMIT,
        /** Read-only but under its limit (or without one now): make it writable. */
        LIFT
    }

    private StorageGuard() {
    }

    /**
     * @param limitBytes  the spec's storage limit; null for none
     * @param storedBytes {@code pg_database_size} of the tenant's database now
     * @param readOnly    whether the compute runs read-only (in recovery) now
     */
    static Action decide(Long limitBytes, long storedBytes, boolean readOnly) {
        boolean over = limitBytes != null && storedBytes >= limitBytes;
        if (over && !readOnly) {
            return Action.LIMIT;
        }
        if (!over && readOnly) {
            return Action.LIFT;
        }
        return Action.KEEP;
    }
}
