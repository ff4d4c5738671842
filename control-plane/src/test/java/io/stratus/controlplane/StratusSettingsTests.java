package io.stratus.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class StratusSettingsTests {

    @Test
    void configuredCredentialsAreTrimmedAndKept() {
        StratusSettings s = bindEnv(Map.of("STRATUS_OPERATOR_KEY", " stk_0123456789abcdefghij\n",
                "STRATUS_AGENT_BOOTSTRAP_TOKEN", "sbt_0123456789abcdefghij"));

        assertThat(s.operatorKey()).isEqualTo("stk_0123456789abcdefghij");
        assertThat(s.agentBootstrapToken()).isEqualTo("sbt_0123456789abcdefghij");
    }

    @Test
    void unsetCredentialsAreLeftToBeGenerated() {
        StratusSettings s = bindEnv(Map.of());

        assertThat(s.operatorKey()).isNull();
        assertThat(s.agentBootstrapToken()).isNull();
    }

    @Test
    void anOperatorKeyThatCouldNeverAuthenticateStopsTheStart() {
        // Without the prefix the key would be stored, and every request bearing it refused as "not an API key".
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_OPERATOR_KEY", "my-long-operator-password-123")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("STRATUS_OPERATOR_KEY")
                .hasMessageContaining("stk_");
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_OPERATOR_KEY", "stk_short")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("at least 20 characters");
    }

    @Test
    void aBootstrapTokenShapedLikeAnApiKeyStopsTheStart() {
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "stk_0123456789abcdefghij")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("STRATUS_AGENT_BOOTSTRAP_TOKEN")
                .hasMessageContaining("must not start with stk_");
        assertThatThrownBy(() -> bindEnv(Map.of("STRATUS_AGENT_BOOTSTRAP_TOKEN", "sbt_short")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("at least 20 characters");
    }

    private static StratusSettings bindEnv(Map<String, Object> variables) {
        SystemEnvironmentPropertySource source = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables);
        return new Binder(ConfigurationPropertySources.from(source)).bindOrCreate("stratus", StratusSettings.class);
    }
}
