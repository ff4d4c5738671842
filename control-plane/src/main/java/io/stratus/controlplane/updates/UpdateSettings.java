package io.stratus.controlplane.updates;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Rolling update settings, {@code stratus.updates.*}.
 *
 * @param tick           how often the driver moves each open rolling update on (checks the restarts in flight,
 *                       starts the next ones)
 * @param restartTimeout how long one compute's restart task may take before its item fails (the agent rolls back a
 *                       restart that fails long before this; the deadline covers an agent that is gone)
 */
@ConfigurationProperties("stratus.updates")
public record UpdateSettings(
        @DefaultValue("1s") Duration tick,
        @DefaultValue("5m") Duration restartTimeout) {
}
