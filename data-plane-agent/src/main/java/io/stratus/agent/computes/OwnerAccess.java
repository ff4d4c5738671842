package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.postgres.PostgresCluster;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.RoleSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The tenant's owner role and database inside a compute, managed over the Unix socket as the agent's superuser. Every
 * statement runs in the maintenance database: the agent never queries a tenant's database.
 */
final class OwnerAccess {

    /** The comment on the roles the agent made for the tenant: how it tells them from any other role. */
    static final String MANAGED_ROLE = "stratus: a tenant role";

    /**
     * Creates or corrects the owner role (login, password verifier), the database it owns (the warm pool's ready
     * database renamed, where the cluster came from the pool and has it), the CONNECT privileges
     * (PUBLIC has none, the owner has it) and, when the tenant asked for it, pg_stat_statements in its database. Looks
     * before it acts, so
     * a second call with the same spec runs no DDL at all.
     */
    StepResult ensure(PostgresCluster cluster, ComputeSpec spec, boolean statStatements) throws SQLException {
        String role = SqlText.identifier(spec.ownerRole());
        String db = SqlText.identifier(spec.databaseName());
        String password = SqlText.verifierLiteral(spec.ownerVerifier());
        List<String> done = new ArrayList<>();
        try (Connection c = connect(cluster)) {
            Role existing = role(c, spec.ownerRole());
            if (existing == null) {
                execute(c, "CREATE ROLE " + role + " LOGIN PASSWORD " + password);
                done.add("created role");
            } else if (!existing.canLogin() || !spec.ownerVerifier().equals(existing.verifier())) {
                execute(c, "ALTER ROLE " + role + " LOGIN PASSWORD " + password);
                done.add("set role's password");
            }
            String owner = databaseOwner(c, spec.databaseName());
            if (owner == null) {
                // A warm-pool cluster's ready database: a rename instead of copying template1. No tenant ever had it,
                // so it holds nothing but what template1 held.
                owner = databaseOwner(c, ComputeConventions.POOL_DATABASE);
                if (owner != null) {
                    execute(c, "ALTER DATABASE " + ComputeConventions.POOL_DATABASE_SQL + " RENAME TO " + db);
                    done.add("renamed the warm pool's database");
                }
            }
            if (owner == null) {
                execute(c, "CREATE DATABASE " + db + " OWNER " + role);
                done.add("created database");
            } else if (!owner.equals(spec.ownerRole())) {
                execute(c, "ALTER DATABASE " + db + " OWNER TO " + role);
                done.add("changed database owner");
            }
            if (publicCanConnect(c, spec.databaseName())) {
                execute(c, "REVOKE CONNECT ON DATABASE " + db + ", " + ComputeConventions.MAINTENANCE_DATABASE
                        + ", template1 FROM PUBLIC");
                done.add("revoked CONNECT from PUBLIC");
            }
            if (!ownerHasConnectGrant(c, spec.databaseName(), spec.ownerRole())) {
                execute(c, "GRANT CONNECT ON DATABASE " + db + " TO " + role);
                done.add("granted CONNECT");
            }
            ensureRoles(c, cluster, spec, done);
        }
        if (statStatements) {
            // In the tenant's database, where its roles can read their own statements' statistics (not trusted: the
            // owner cannot create it). Left in place when turned off: the view then says the library is not loaded.
            try (Connection tenantDb = ComputeConventions.connection(cluster, spec.databaseName(), "stratus-agent", 0)) {
                if (!extensionExists(tenantDb, ComputeConfig.STAT_STATEMENTS)) {
                    execute(tenantDb, "CREATE EXTENSION IF NOT EXISTS " + ComputeConfig.STAT_STATEMENTS);
                    done.add("created extension " + ComputeConfig.STAT_STATEMENTS);
                }
            }
        }
        return done.isEmpty() ? StepResult.UNCHANGED : new StepResult.Changed(String.join(", ", done));
    }

    /**
     * The tenant's other roles: each logs in with its verifier, may connect to the tenant's database, reads the owner's
     * tables there and, unless read-only, writes their rows ({@link #grantAccess}); none may create or drop anything. A read-only role's transactions are read-only by default too. Roles the agent made (marked by
     * their comment) that the spec no longer lists are dropped, their sessions ended first. The owner cannot create
     * roles (no CREATEROLE), so every other login role of the compute is one of these or the agent's.
     */
    private static void ensureRoles(Connection c, PostgresCluster cluster, ComputeSpec spec, List<String> done)
            throws SQLException {
        String db = SqlText.identifier(spec.databaseName());
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (RoleSpec r : spec.roles()) {
            wanted.add(r.name());
            String name = SqlText.identifier(r.name());
            Role existing = role(c, r.name());
            if (existing == null) {
                execute(c, "CREATE ROLE " + name + " LOGIN PASSWORD " + SqlText.verifierLiteral(r.verifier()));
                execute(c, "COMMENT ON ROLE " + name + " IS " + SqlText.literal(MANAGED_ROLE));
                done.add("created role " + r.name());
            } else if (!existing.canLogin() || !r.verifier().equals(existing.verifier())) {
                execute(c, "ALTER ROLE " + name + " LOGIN PASSWORD " + SqlText.verifierLiteral(r.verifier()));
                done.add("set the password of role " + r.name());
            }
            for (String predefined : List.of("pg_read_all_data", "pg_write_all_data")) {
                // Earlier agents granted these; they reach the system catalogs too (pg_authid's verifiers).
                if (memberOf(c, r.name(), predefined)) {
                    execute(c, "REVOKE " + predefined + " FROM " + name);
                    done.add("revoked " + predefined + " from " + r.name());
                }
            }
            if (readOnlyByDefault(c, r.name()) != r.readOnly()) {
                execute(c, "ALTER ROLE " + name + (r.readOnly() ? " SET default_transaction_read_only = on"
                        : " RESET default_transaction_read_only"));
            }
            if (!ownerHasConnectGrant(c, spec.databaseName(), r.name())) {
                execute(c, "GRANT CONNECT ON DATABASE " + db + " TO " + name);
            }
        }
        if (!spec.roles().isEmpty()) {
            try (Connection tenantDb = ComputeConventions.connection(cluster, spec.databaseName(), "stratus-agent", 0)) {
                for (RoleSpec r : spec.roles()) {
                    grantAccess(tenantDb, spec.ownerRole(), r);
                }
            }
        }
        for (String gone : managedRoles(c)) {
            if (!wanted.contains(gone)) {
                dropRole(c, cluster, spec, gone);
                done.add("dropped role " + gone);
            }
        }
    }

    /**
     * In the tenant's database (as superuser: the agent's one kind of statement there): the role may use the owner's
     * schemas and read (or read and write) their tables and sequences, those there now and, through the owner's default
     * privileges, those it creates later. Never Postgres' pg_read_all_data: that reads the system catalogs too,
     * pg_authid's password verifiers included. GRANTs of what is granted already change nothing, so this runs whole.
     */
    private static void grantAccess(Connection tenantDb, String ownerRole, RoleSpec r) throws SQLException {
        String owner = SqlText.identifier(ownerRole);
        String name = SqlText.identifier(r.name());
        String tables = r.readOnly() ? "SELECT" : "SELECT, INSERT, UPDATE, DELETE";
        String sequences = r.readOnly() ? "SELECT" : "USAGE, SELECT, UPDATE";
        List<String> schemas = new ArrayList<>();
        try (PreparedStatement ps = tenantDb.prepareStatement("SELECT nspname FROM pg_namespace WHERE nspname = 'public'"
                + " OR nspowner = (SELECT oid FROM pg_roles WHERE rolname = ?)")) {
            ps.setString(1, ownerRole);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
        }
        for (String schema : schemas) {
            String s = '"' + schema.replace("\"", "\"\"") + '"';
            execute(tenantDb, "GRANT USAGE ON SCHEMA " + s + " TO " + name);
            execute(tenantDb, "GRANT " + tables + " ON ALL TABLES IN SCHEMA " + s + " TO " + name);
            execute(tenantDb, "GRANT " + sequences + " ON ALL SEQUENCES IN SCHEMA " + s + " TO " + name);
        }
        execute(tenantDb, "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " GRANT USAGE ON SCHEMAS TO " + name);
        execute(tenantDb, "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " GRANT " + tables + " ON TABLES TO " + name);
        execute(tenantDb, "ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " GRANT " + sequences + " ON SEQUENCES TO "
                + name);
    }

    /**
     * Ends the role's sessions and drops it. A role the owner granted privileges to in its database is first stripped
     * of them there (DROP OWNED runs per database: the one place the agent acts in the tenant's database, as
     * superuser, never as a tenant's statement).
     */
    private static void dropRole(Connection c, PostgresCluster cluster, ComputeSpec spec, String role)
            throws SQLException {
        String name = SqlText.identifier(role);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
            ps.setString(1, role);
            ps.executeQuery().close();
        }
        execute(c, "REVOKE CONNECT ON DATABASE " + SqlText.identifier(spec.databaseName()) + " FROM " + name);
        try {
            execute(c, "DROP ROLE " + name);
        } catch (SQLException dependent) {
            if (!"2BP01".equals(dependent.getSQLState())) {
                throw dependent;
            }
            try (Connection tenantDb = ComputeConventions.connection(cluster, spec.databaseName(), "stratus-agent", 0)) {
                execute(tenantDb, "REASSIGN OWNED BY " + name + " TO " + SqlText.identifier(spec.ownerRole()));
                execute(tenantDb, "DROP OWNED BY " + name);
            }
            execute(c, "DROP ROLE " + name);
        }
    }

    private static List<String> managedRoles(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname FROM pg_roles r JOIN pg_shdescription d"
                + " ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass WHERE d.description = ?")) {
            ps.setString(1, MANAGED_ROLE);
            List<String> names = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }

    private static boolean memberOf(Connection c, String role, String group) throws SQLException {
        return exists(c, "SELECT EXISTS (SELECT 1 FROM pg_auth_members m"
                + " WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = ?)"
                + " AND m.roleid = (SELECT oid FROM pg_roles WHERE rolname = ?))", role, group);
    }

    private static boolean readOnlyByDefault(Connection c, String role) throws SQLException {
        return exists(c, "SELECT EXISTS (SELECT 1 FROM pg_db_role_setting s"
                + " WHERE s.setdatabase = 0 AND s.setrole = (SELECT oid FROM pg_roles WHERE rolname = ?)"
                + " AND 'default_transaction_read_only=on' = ANY (s.setconfig))", role);
    }

    /** Null when the catalog lets the owner log in to its database with the spec's verifier; else what is wrong. */
    String catalogProblem(PostgresCluster cluster, ComputeSpec spec) throws SQLException {
        try (Connection c = connect(cluster)) {
            Role existing = role(c, spec.ownerRole());
            if (existing == null) {
                return "role " + spec.ownerRole() + " does not exist";
            }
            if (!existing.canLogin()) {
                return "role " + spec.ownerRole() + " cannot log in";
            }
            if (!spec.ownerVerifier().equals(existing.verifier())) {
                return "role " + spec.ownerRole() + " has another password";
            }
            if (databaseOwner(c, spec.databaseName()) == null) {
                return "database " + spec.databaseName() + " does not exist";
            }
            return null;
        }
    }

    /**
     * Whether the catalog already is what {@link #ensure} would make it, read only: for a compute that is read-only
     * (over its storage limit), which can take no write. The grants on the owner's tables are not compared: a
     * read-only compute gets no new tables, and a new role is a difference already.
     */
    boolean inAgreement(PostgresCluster cluster, ComputeSpec spec) throws SQLException {
        if (catalogProblem(cluster, spec) != null) {
            return false;
        }
        try (Connection c = connect(cluster)) {
            if (publicCanConnect(c, spec.databaseName())
                    || !ownerHasConnectGrant(c, spec.databaseName(), spec.ownerRole())) {
                return false;
            }
            java.util.Set<String> wanted = new java.util.HashSet<>();
            for (RoleSpec r : spec.roles()) {
                wanted.add(r.name());
                Role existing = role(c, r.name());
                if (existing == null || !existing.canLogin() || !r.verifier().equals(existing.verifier())
                        || readOnlyByDefault(c, r.name()) != r.readOnly()
                        || !ownerHasConnectGrant(c, spec.databaseName(), r.name())
                        || memberOf(c, r.name(), "pg_read_all_data") || memberOf(c, r.name(), "pg_write_all_data")) {
                    return false;
                }
            }
            return wanted.equals(new java.util.HashSet<>(managedRoles(c)));
        }
    }

    private static Connection connect(PostgresCluster cluster) throws SQLException {
        return ComputeConventions.maintenanceConnection(cluster, "stratus-agent", 0);
    }

    private record Role(boolean canLogin, String verifier) {
    }

    private static Role role(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Role(rs.getBoolean(1), rs.getString(2)) : null;
            }
        }
    }

    private static String databaseOwner(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static boolean publicCanConnect(Connection c, String database) throws SQLException {
        // 'public' names the PUBLIC pseudo-role in has_*_privilege.
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname IN (?, ?, 'template1')"
                + " AND has_database_privilege('public', oid, 'CONNECT')")) {
            ps.setString(1, database);
            ps.setString(2, ComputeConventions.MAINTENANCE_DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        }
    }

    private static boolean ownerHasConnectGrant(Connection c, String database, String role) throws SQLException {
        // An explicit ACL entry, not merely ownership: the ACL is NULL (implicit defaults) until the REVOKE above.
        return exists(c, "SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = ?"
                + " AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?) AND a.privilege_type = 'CONNECT')",
                database, role);
    }

    private static boolean extensionExists(Connection c, String name) throws SQLException {
        return exists(c, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = ?)", name);
    }

    /** The single boolean a query answers, its parameters bound in order. */
    private static boolean exists(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
