package io.stratus.controlplane.metering;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Metering settings, {@code stratus.metering.*}.
 *
 * @param rollupInterval      how often the roll-up job moves new usage records into hourly sums (usage shows in the
 *                            API within about this long)
 * @param rollupBatchSize     records rolled up per transaction, so a backlog never makes one huge transaction
 * @param maxRecordsPerReport largest usage report accepted from an agent
 */
@ConfigurationProperties("stratus.metering")
public record MeteringSettings(
        @DefaultValue("30s") Duration rollupInterval,
        @DefaultValue("5000") int rollupBatchSize,
        @DefaultValue("5000") int maxRecordsPerReport) {
}
