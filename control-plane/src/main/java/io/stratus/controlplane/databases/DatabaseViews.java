package io.stratus.controlplane.databases;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.stratus.controlplane.operations.Operations.OperationView;
import io.swagger.v3.oas.annotations.media.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The databases API's response bodies (named in the OpenAPI document apart from other features' alike ones). */
public final class DatabaseViews {

    private DatabaseViews() {
    }

    /**
     * How to connect: through the front door, whose address is the same for every database, naming the database as
     * {@code <name>.<endpoint>}. Complete from creation on (before the database has a node) and unchanged by suspend,
     * resume, restarts and moves. {@code password} is present only in the responses that issue one (creation and
     * password reset); the control plane cannot show it again because it never stores it.
     *
     * @param database what the client asks the front door for; the compute's own database is {@code name}
     * @param endpoint the database's routing name, unique across tenants
     * @param sslMode  the {@code sslmode} the front doors need, when they refuse plaintext
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Connection(String uri, String host, int port, String database, String user, String password,
                      String endpoint, String sslMode) {

        static Connection of(FrontDoorAddress frontDoor, String endpoint, String name, String user, String password) {
            String host = frontDoor.hostFor(endpoint);
            String hostPart = host.contains(":") ? "[" + host + "]" : host;
            String database = name + "." + endpoint;
            String uri = "postgresql://" + user + (password == null ? "" : ":" + password) + "@" + hostPart + ":"
                    + frontDoor.port() + "/" + database
                    + (frontDoor.sslMode() == null ? "" : "?sslmode=" + frontDoor.sslMode());
            return new Connection(uri, host, frontDoor.port(), database, user, password, endpoint, frontDoor.sslMode());
        }
    }

    /**
     * @param enforcement how the host enforces the CU: {@code cgroup-v2}, {@code cgroup-v1}, or {@code none} (not
     *                    enforced: the host does not let the agent write cgroups)
     * @param pgStatStatements whether the tenant asked for pg_stat_statements; a change takes effect at the compute's
     *                    next start (its next resume after a suspend), never by restarting a running one
     * @param observedAt  when the agent on the database's host last reported, so what {@code state} and
     *                    {@code currentCu} were last confirmed; null while the database has no host
     * @param storedBytes what the database stored ({@code pg_database_size}) when its agent last measured it for its
     *                    tenant's storage quota; null while none was measured (the tenant has no storage quota)
     * @param storageLimited true while its compute is read-only because it stores its share of the tenant's storage
     *                    quota: reads work, writes fail with SQLSTATE 25006
     * @param backupStatus {@code OK}; {@code FAILING}: the latest backup (or verification) failed; {@code STALE}: the
     *                    last good backup is older than twice the policy's period (26 hours without a policy);
     *                    {@code NONE}: no good backup (or backups are not configured)
     * @param lastGoodBackup the newest backup a restore can use; null without one
     * @param restoredFrom where a restored database's data came from; null for one created empty
     * @param runningRelease the full Postgres version its compute runs (or, suspended, last ran), as its agent reports
     *                    it; null until reported. {@code release} is what the database asks for (a major or a version)
     * @param settings    Postgres settings the operator set for it by a rolling update (empty unless one did)
     */
    public record DatabaseView(UUID id, String name, DatabaseState state, BigDecimal minCu, BigDecimal maxCu,
                        BigDecimal currentCu, String enforcement, int suspendTimeoutSeconds, boolean pgStatStatements,
                        String release, UUID node,
                        Connection connection, String message, Instant observedAt, Instant createdAt, Long storedBytes,
                        boolean storageLimited, BackupSummaries.BackupStatus backupStatus, LastGoodBackup lastGoodBackup,
                        @JsonInclude(JsonInclude.Include.NON_NULL) RestoredFrom restoredFrom,
                        String runningRelease, java.util.Map<String, String> settings) {
    }

    /** @param at when the backup became consistent: its data is as of then */
    public record LastGoodBackup(UUID id, Instant at) {
    }

    /** @param targetTime the point in time replayed to; null: to the end of the backup */
    public record RestoredFrom(UUID databaseId, UUID backupId, Instant targetTime) {
    }

    @Schema(name = "DatabaseCreated")
    public record Created(DatabaseView database, OperationView operation, Connection connection) {
    }

    record PasswordReset(String password, Connection connection, OperationView operation) {
    }

    record Accepted(OperationView operation) {
    }

    @Schema(name = "DatabasePage")
    record Page(List<DatabaseView> items, int page, int size, long total) {
    }
}
