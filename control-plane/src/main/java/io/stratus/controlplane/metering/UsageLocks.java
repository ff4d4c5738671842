package io.stratus.controlplane.metering;

/**
 * The advisory lock that orders ingestion against closing hours: ingestion holds it shared while it decides billing
 * hours and inserts, closing holds it exclusively while it inserts into {@code closed_hours}. A record therefore either
 * commits before its hour is closed (and the close then rolls it into that hour) or sees the hour closed (and is
 * billed late in an open hour); it can never slip into an hour after the close read it.
 */
final class UsageLocks {

    /** An arbitrary constant, distinct from any other advisory lock in the schema ("stratus usage" in ASCII, shortened). */
    static final long CLOSING = 0x5374_7261_5573_6701L;

    /**
     * First key of the two-key advisory lock a node's deliveries take, the second being a hash of the node id: one
     * report per node at a time. Redeliveries of the same records race only with each other, and without it two
     * concurrent multi-row {@code ON CONFLICT DO NOTHING} inserts of the same keys can deadlock on each other's
     * speculative insertions.
     */
    static final int NODE_DELIVERY = 0x55736167; // "Usag"

    private UsageLocks() {
    }
}
