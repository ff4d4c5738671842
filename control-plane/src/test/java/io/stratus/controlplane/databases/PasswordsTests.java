package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.testing.PostgresHarness;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PasswordsTests {

    @Test
    void generatedPasswordsAreLongAndUriSafe() {
        String p = Passwords.generate();
        assertThat(p).hasSize(32).matches("[A-Za-z0-9]+");
        assertThat(Passwords.generate()).isNotEqualTo(p);
    }

    @Test
    void verifierHasPostgresFormat() {
        assertThat(Passwords.scramVerifier("secret"))
                .matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}");
    }

    /** The real check: Postgres accepts a login with the password whose verifier we computed. */
    @Test
    void postgresAcceptsThePasswordBehindTheVerifier() throws SQLException {
        var server = PostgresHarness.server();
        String role = "r_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = Passwords.generate();
        try (Connection c = DriverManager.getConnection(server.url("postgres"), server.user(), server.password());
             Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + Passwords.scramVerifier(password) + "'");
        }
        try (Connection c = DriverManager.getConnection(server.url("postgres"), role, password)) {
            assertThat(c.isValid(2)).isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection(server.url("postgres"), role, password + "x"))
                .isInstanceOf(SQLException.class);
    }
}
