package io.stratus.protocol;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One compute as the control plane wants it.
 *
 * @param computeId     stable id (the database's id)
 * @param databaseName  the tenant's database inside the compute
 * @param ownerRole     the tenant's login role, owner of the database
 * @param ownerVerifier SCRAM-SHA-256 verifier of the owner's password; the password itself is never sent
 * @param running       true to run it, false to keep it stopped (suspended) with its data
 * @param cu            capacity units to grant now
 * @param minCu         lower end of its range (sizes settings that need a restart)
 * @param maxCu         upper end of its range
 * @param release       Postgres major version or full version wanted, e.g. {@code 15}
 * @param specVersion   increases whenever anything above changes; reported back once applied
 * @param roles         the tenant's other login roles; null from control planes older than roles (none)
 * @param pgStatStatements the tenant asked for pg_stat_statements (query insight): preloaded from the compute's next
 *                      start and created in the tenant's database; off by default (metering does not need it)
 * @param storageLimitBytes the most the tenant's database in this compute may store ({@code pg_database_size}) before
 *                      the agent makes the compute read-only; the tenant's storage quota minus what its other live
 *                      databases store. Null: no limit (no quota, or a control plane older than storage quotas)
 * @param restore       where a new compute's data directory comes from when it is a restore of another database's
 *                      backup; null for a new, empty database. Read only while the data directory does not exist yet
 * @param settings      Postgres settings the operator set for this compute (a rolling update's target), by name; only
 *                      names of the control plane's allow-list, never one Stratus sizes itself. Empty from control
 *                      planes older than rolling updates
 */
public record ComputeSpec(UUID computeId, String databaseName, String ownerRole, String ownerVerifier,
                          boolean running, BigDecimal cu, BigDecimal minCu, BigDecimal maxCu,
                          String release, long specVersion, List<RoleSpec> roles, boolean pgStatStatements,
                          Long storageLimitBytes, RestoreSpec restore,
                          Map<String, String> settings) {

    public ComputeSpec {
        roles = roles == null ? List.of() : List.copyOf(roles);
        // Sorted: the spec is compared and written as JSON, and one set of settings must have one form.
        settings = settings == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(settings));
    }

    /** A spec built field by field, by name: a field added to the record is one more method here, not a new argument everywhere. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this spec's fields, to change some of them. */
    public Builder toBuilder() {
        return new Builder().computeId(computeId).databaseName(databaseName).ownerRole(ownerRole)
                .ownerVerifier(ownerVerifier).running(running).cu(cu).minCu(minCu).maxCu(maxCu)
                .release(release).specVersion(specVersion).roles(roles).pgStatStatements(pgStatStatements)
                .storageLimitBytes(storageLimitBytes).restore(restore)
                .settings(settings);
    }

    /** Builds a {@link ComputeSpec}; unset fields are null, false or 0. */
    public static final class Builder {
        private UUID computeId;
        private String databaseName;
        private String ownerRole;
        private String ownerVerifier;
        private boolean running;
        private BigDecimal cu;
        private BigDecimal minCu;
        private BigDecimal maxCu;
        private String release;
        private long specVersion;
        private List<RoleSpec> roles = List.of();
        private boolean pgStatStatements;
        private Long storageLimitBytes;
        private RestoreSpec restore;
        private Map<String, String> settings = Map.of();

        private Builder() {
        }

        public Builder computeId(UUID value) {
            computeId = value;
            return this;
        }

        public Builder databaseName(String value) {
            databaseName = value;
            return this;
        }

        public Builder ownerRole(String value) {
            ownerRole = value;
            return this;
        }

        public Builder ownerVerifier(String value) {
            ownerVerifier = value;
            return this;
        }

        public Builder running(boolean value) {
            running = value;
            return this;
        }

        public Builder cu(BigDecimal value) {
            cu = value;
            return this;
        }

        public Builder minCu(BigDecimal value) {
            minCu = value;
            return this;
        }

        public Builder maxCu(BigDecimal value) {
            maxCu = value;
            return this;
        }

        public Builder release(String value) {
            release = value;
            return this;
        }

        public Builder specVersion(long value) {
            specVersion = value;
            return this;
        }

        public Builder roles(List<RoleSpec> value) {
            roles = value;
            return this;
        }

        public Builder pgStatStatements(boolean value) {
            pgStatStatements = value;
            return this;
        }

        public Builder storageLimitBytes(Long value) {
            storageLimitBytes = value;
            return this;
        }

        public Builder restore(RestoreSpec value) {
            restore = value;
            return this;
        }

        public Builder settings(Map<String, String> value) {
            settings = value;
            return this;
        }

        public ComputeSpec build() {
            return new ComputeSpec(computeId, databaseName, ownerRole, ownerVerifier, running, cu, minCu, maxCu,
                    release, specVersion, roles, pgStatStatements, storageLimitBytes, restore, settings);
        }
    }
}
