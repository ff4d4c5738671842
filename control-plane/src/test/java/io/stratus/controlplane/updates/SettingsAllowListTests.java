package io.stratus.controlplane.updates;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.web.ApiException.FieldError;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsAllowListTests {

    @Test
    void allowedSettingsWithGoodValuesPass() {
        assertThat(SettingsAllowList.check(Map.of("statement_timeout", "30s", "random_page_cost", "1.1",
                "max_locks_per_transaction", "128", "jit", "off", "max_wal_size", "2GB", "log_min_duration_statement",
                "-1"), "target.settings")).isEmpty();
    }

    // shared_buffers follows the CU range, listen_addresses would open the compute to the network: not the operator's.
    @Test
    void settingsStratusOwnsOrThatWouldBreakItAreRefusedByName() {
        assertThat(SettingsAllowList.check(Map.of("shared_buffers", "1GB", "listen_addresses", "*"), "target.settings"))
                .extracting(FieldError::field)
                .containsExactly("target.settings.listen_addresses", "target.settings.shared_buffers");
    }

    @Test
    void badValuesAreRefusedWithTheReason() {
        assertThat(SettingsAllowList.check(Map.of("statement_timeout", "soon", "max_locks_per_transaction", "5",
                "jit", "maybe", "random_page_cost", "-1"), "target.settings"))
                .containsExactly(
                        new FieldError("target.settings.jit", "must be one of off, on"),
                        new FieldError("target.settings.max_locks_per_transaction", "must be a whole number from 10 to 10000"),
                        new FieldError("target.settings.random_page_cost", "must be a number from 0.1 to 1000.0"),
                        new FieldError("target.settings.statement_timeout", "must be a duration such as 30s, 500ms or 5min"));
    }

    @Test
    void durationsAreBoundedInTheirUnit() {
        assertThat(SettingsAllowList.check(Map.of("checkpoint_timeout", "10s"), "s")).hasSize(1);
        assertThat(SettingsAllowList.check(Map.of("checkpoint_timeout", "5min"), "s")).isEmpty();
        assertThat(SettingsAllowList.check(Map.of("statement_timeout", "2d"), "s")).hasSize(1);
    }
}
