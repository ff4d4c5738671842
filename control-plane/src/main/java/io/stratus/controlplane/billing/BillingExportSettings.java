package io.stratus.controlplane.billing;

import io.stratus.controlplane.StratusSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Billing export settings, {@code stratus.billing.export.*}. Cron expressions are Quartz's (seconds first) in UTC.
 *
 * @param hourlyCron when the previous hour is exported; default five past every hour
 * @param dailyCron  when the previous UTC day is exported; default 00:15 UTC
 * @param directory  where export files go, one sub-directory per period; default {@code ${stratus.data-dir}/exports}
 * @param catchUp    how far back each firing looks for periods not exported (missed while every control plane was
 *                   down, or failed) and exports them, oldest first, from the first period ever tried on; default 7
 *                   days, 0 for the previous period only
 * @param settle     how long after its end a period may be exported on request: exporting closes it for good, and an
 *                   agent ships the usage of an hour's last minutes within seconds of its end (longer when it has to
 *                   retry); default 5 minutes, as the default crons wait
 */
@ConfigurationProperties("stratus.billing.export")
public record BillingExportSettings(
        @DefaultValue("0 5 * * * ?") String hourlyCron,
        @DefaultValue("0 15 0 * * ?") String dailyCron,
        Path directory,
        @DefaultValue("7d") Duration catchUp,
        @DefaultValue("5m") Duration settle) {

    public BillingExportSettings {
        if (catchUp.isNegative()) {
            throw new IllegalArgumentException("stratus.billing.export.catch-up must not be negative: " + catchUp);
        }
        if (settle.isNegative()) {
            throw new IllegalArgumentException("stratus.billing.export.settle must not be negative: " + settle);
        }
    }

    Path directoryOrDefault(StratusSettings stratus) {
        return (directory != null ? directory : stratus.dataDir().resolve("exports")).toAbsolutePath().normalize();
    }
}
