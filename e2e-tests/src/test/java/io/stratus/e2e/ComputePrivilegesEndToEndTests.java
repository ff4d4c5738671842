package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.testing.ApiClient;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Inside a compute, as a tenant's own roles (the owner and a read-only role, through the front door): what a hostile
 * tenant would try against the server, the host and other tenants, each refused by Postgres itself (issue #23).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComputePrivilegesEndToEndTests {

    private StratusProcesses stratus;
    private E2e.CreatedDatabase mine;
    private String readerUri;
    private E2e.CreatedDatabase theirs;

    @BeforeAll
    void start() {
        stratus = new StratusProcesses();
        stratus.start();
        ApiClient api = stratus.api();
        E2e.Tenant tenant = E2e.newTenant(api);
        mine = E2e.create(api, tenant, "mine");
        E2e.Tenant other = E2e.newTenant(api);
        theirs = E2e.create(api, other, "theirs");
        assertThat(E2e.awaitOperation(api, tenant, mine.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        assertThat(E2e.awaitOperation(api, other, theirs.operationId(), Duration.ofSeconds(90))).isEqualTo("SUCCEEDED");
        var role = api.post(tenant.adminKey(), "/v1/databases/" + mine.id() + "/roles",
                ApiClient.json("name", "reader", "readOnly", true));
        assertThat(role.status()).as(role.raw()).isEqualTo(201);
        readerUri = role.at("/role/connection/uri").asString();
    }

    @AfterAll
    void stop() throws Exception {
        if (stratus != null) {
            stratus.close();
        }
    }

    /** Statement → the SQLSTATE Postgres must answer it with, for any of the tenant's roles. */
    private static Map<String, String> attacks() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("SELECT rolpassword FROM pg_authid", "42501");
        a.put("CREATE ROLE intruder LOGIN PASSWORD 'x'", "42501");
        a.put("ALTER ROLE CURRENT_USER SUPERUSER", "42501");
        a.put("CREATE DATABASE another", "42501");
        a.put("COPY (SELECT 1) TO PROGRAM 'id'", "42501");
        a.put("COPY (SELECT 1) TO '/tmp/stratus-leak'", "42501");
        a.put("SELECT pg_read_file('/etc/passwd')", "42501");
        a.put("SELECT pg_ls_dir('.')", "42501");
        a.put("SELECT lo_import('/etc/passwd')", "42501");
        a.put("ALTER SYSTEM SET work_mem = '1GB'", "42501");
        a.put("SET session_replication_role = replica", "42501");
        a.put("SET temp_file_limit = -1", "42501");
        a.put("LOAD 'auto_explain'", "42501");
        a.put("CREATE EXTENSION file_fdw", "42501");
        a.put("CREATE FUNCTION evil() RETURNS int AS 'libc.so.6', 'getpid' LANGUAGE c", "42501");
        a.put("SELECT pg_reload_conf()", "42501");
        return a;
    }

    @Test
    void theOwnerAndAReadOnlyRoleCanReachNeitherTheServerNorItsSecretsNorOtherRoles() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String uri : List.of(mine.uri(), readerUri)) {
            for (var attack : attacks().entrySet()) {
                try (Connection c = E2e.connect(uri); Statement st = c.createStatement()) {
                    // The read-only role's default; turned off so that what is tried is its privileges.
                    st.execute("SET default_transaction_read_only = off");
                    st.execute(attack.getKey());
                    failures.add(user(uri) + ": " + attack.getKey() + " succeeded");
                } catch (SQLException e) {
                    if (!attack.getValue().equals(e.getSQLState())) {
                        failures.add(user(uri) + ": " + attack.getKey() + " -> " + e.getSQLState() + " "
                                + e.getMessage());
                    }
                }
            }
        }
        assertThat(failures).as("%d statements as 2 roles", attacks().size()).isEmpty();
    }

    @Test
    void anotherTenantsDatabaseIsNeitherReachableNorVisible() throws Exception {
        URI m = URI.create(mine.uri());
        URI t = URI.create(theirs.uri());
        // Their endpoint with my credentials: their compute checks the password and knows no such role.
        String crossed = "postgresql://" + m.getUserInfo() + "@" + t.getHost() + ":" + t.getPort() + t.getPath()
                + (t.getQuery() == null ? "" : "?" + t.getQuery());
        try (Connection c = E2e.connect(crossed)) {
            throw new AssertionError("connected to another tenant's database: " + c);
        } catch (SQLException e) {
            assertThat(e.getSQLState()).isIn("28000", "28P01");
        }
        try (Connection c = E2e.connect(mine.uri()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")) {
            rs.next();
            assertThat(rs.getString(1)).as("a compute holds one tenant's database").doesNotContain("theirs")
                    .contains("mine");
        }
        try (Connection c = E2e.connect(mine.uri()); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            try {
                st.execute("SELECT dblink_connect('dbname=postgres')");
                throw new AssertionError("dblink available");
            } catch (SQLException e) {
                assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42883");
            }
        }
    }

    @Test
    void theStatementsOfOtherRolesSessionsAreHidden() throws Exception {
        try (Connection owner = E2e.connect(mine.uri()); Statement busy = owner.createStatement()) {
            busy.execute("SELECT 'owner-secret-' || 42");
            try (Connection reader = E2e.connect(readerUri); Statement st = reader.createStatement()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity"
                            + " WHERE usename IN ('mine_owner', 'stratus_agent')")) {
                        rs.next();
                        return rs.getInt(1) > 0;
                    }
                });
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename <> current_user"
                        + " AND query IS NOT NULL AND query NOT IN ('', '<insufficient privilege>')")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("other roles' statements readable").isZero();
                }
            }
        }
    }

    @Test
    void aSessionsTemporaryFilesAreCappedAtItsComputesMemory() throws Exception {
        try (Connection c = E2e.connect(mine.uri()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW temp_file_limit")) {
            rs.next();
            // maxCu 2 at 4 GiB per CU (E2e.create).
            assertThat(rs.getString(1)).isEqualTo("8GB");
        }
    }

    private static String user(String uri) {
        return URI.create(uri).getUserInfo().split(":")[0];
    }
}
