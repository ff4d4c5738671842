package io.stratus.agent.computes;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the agent holds computes to their storage limits ({@code stratus.agent.storage.*}).
 *
 * @param checkInterval how often each running compute with a storage limit is measured ({@code pg_database_size}, one
 *                      query on the maintenance database): a tenant can write past its limit for at most about this
 *                      long before its compute is made read-only. A limit that changes is checked at once, whatever
 *                      this says.
 */
@ConfigurationProperties("stratus.agent.storage")
public record StorageSettings(@DefaultValue("10s") Duration checkInterval) {

    public StorageSettings {
        if (checkInterval == null || checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("stratus.agent.storage.check-interval must be positive");
        }
    }
}
