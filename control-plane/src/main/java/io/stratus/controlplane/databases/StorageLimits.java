package io.stratus.controlplane.databases;

/**
 * A database's storage limit, from its tenant's storage quota: the quota minus what the tenant's other live databases
 * store (their agents' last readings), never below zero. The agent holds the compute to it on disk (read-only at or
 * over it). Pure, so the arithmetic is tested apart.
 *
 * <p>Each database gets the whole of what is left, not a fixed share: one database may use all of an idle tenant's
 * quota. Two of a tenant's databases growing at once can each fill what was left, so the tenant can pass its quota by
 * what the others wrote within one storage check interval plus a status report; the next limits take it back.
 */
final class StorageLimits {

    private StorageLimits() {
    }

    /**
     * @param quotaBytes    the tenant's storage quota; null for none
     * @param tenantStored  what the tenant's live databases store together, this one included
     * @param thisStored    what this database stores (its last reading; null: never measured, counted as nothing)
     * @return the limit in bytes, or null for none
     */
    static Long limitFor(Long quotaBytes, long tenantStored, Long thisStored) {
        if (quotaBytes == null) {
            return null;
        }
        long others = tenantStored - (thisStored == null ? 0 : thisStored);
        return Math.max(0, quotaBytes - Math.max(0, others));
    }

    /** Whether a tenant storing {@code tenantStored} may add a database: only while under its quota. */
    static boolean roomForAnother(Long quotaBytes, long tenantStored) {
        return quotaBytes == null || tenantStored < quotaBytes;
    }
}
