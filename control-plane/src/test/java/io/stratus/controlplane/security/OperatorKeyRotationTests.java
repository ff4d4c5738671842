package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.controlplane.ControlPlaneApplication;
import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.controlplane.support.SecretFiles;
import io.stratus.testing.ApiClient;
import io.stratus.testing.PostgresHarness;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The operator key is configuration: restarting the control plane with a new key rotates it. Each start here is a
 * whole control plane on a metadata database of its own, as a restart with a changed {@code STRATUS_OPERATOR_KEY}.
 */
class OperatorKeyRotationTests {

    private static final String FIRST = "stk_first-operator-key-0123456789";
    private static final String SECOND = "stk_second-operator-key-0123456789";

    @TempDir
    Path temp;

    @Test
    void configuringANewOperatorKeyRevokesTheOldOne() {
        PostgresHarness.TestDatabase db = PostgresHarness.newDatabase();
        try (ConfigurableApplicationContext first = start(db, FIRST)) {
            assertThat(status(first, FIRST)).isEqualTo(200);
        }

        try (ConfigurableApplicationContext second = start(db, SECOND)) {
            assertThat(status(second, SECOND)).isEqualTo(200);
            assertThat(status(second, FIRST)).as("the key configured before").isEqualTo(401);
        }
        // A restart with the same configuration changes nothing.
        try (ConfigurableApplicationContext again = start(db, SECOND)) {
            assertThat(status(again, SECOND)).isEqualTo(200);
        }
    }

    @Test
    void anInstanceStartedWithARevokedKeyStopsInsteadOfUndoingTheRotation() {
        PostgresHarness.TestDatabase db = PostgresHarness.newDatabase();
        start(db, FIRST).close();
        start(db, SECOND).close();

        assertThatThrownBy(() -> start(db, FIRST)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STRATUS_OPERATOR_KEY").hasMessageContaining("was revoked");
        try (ConfigurableApplicationContext current = start(db, SECOND)) {
            assertThat(status(current, SECOND)).as("the current key still works").isEqualTo(200);
            assertThat(status(current, FIRST)).isEqualTo(401);
        }
    }

    @Test
    void aKeyGeneratedIntoAnotherControlPlanesDataDirectoryRevokesNothing() {
        PostgresHarness.TestDatabase db = PostgresHarness.newDatabase();
        start(db, FIRST).close();

        // A second control plane on the same metadata database, with no key configured: it generates its own.
        try (ConfigurableApplicationContext generated = start(db, null)) {
            String own = SecretFiles.readOrCreate(temp.resolve("operator.key"), () -> "unused").value();
            assertThat(status(generated, own)).isEqualTo(200);
            assertThat(status(generated, FIRST)).as("the configured key of the other control plane").isEqualTo(200);
        }
    }

    private ConfigurableApplicationContext start(PostgresHarness.TestDatabase db, String operatorKey) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("server.port", "0");
        props.put("stratus.db.url", db.jdbcUrl());
        props.put("stratus.db.user", db.user());
        props.put("stratus.db.password", db.password());
        if (operatorKey != null) {
            props.put("stratus.operator-key", operatorKey);
        }
        props.put("stratus.agent-bootstrap-token", "sbt_rotation-bootstrap-token");
        props.put("stratus.data-dir", temp.toString());
        props.put(ControlPlaneTest.SCHEDULER_NAME, "stratus-" + db.name());
        // No export firing during these starts and stops.
        props.put("stratus.billing.export.hourly-cron", "0 0 0 1 1 ? 2099");
        props.put("stratus.billing.export.daily-cron", "0 0 0 1 1 ? 2099");
        String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        return new SpringApplicationBuilder(ControlPlaneApplication.class).run(args);
    }

    private static int status(ConfigurableApplicationContext ctx, String key) {
        String port = ctx.getEnvironment().getProperty("local.server.port");
        return new ApiClient("http://127.0.0.1:" + port).get(key, "/v1/admin/plans").status();
    }
}
