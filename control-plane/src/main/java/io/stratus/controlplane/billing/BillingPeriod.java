package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.Granularity;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A billing export period: one UTC hour ({@code 2026-11-25T13}) or one UTC day ({@code 2026-11-25}), covering
 * {@code [start, end)}. The name is the period's identity everywhere: the {@code billing_exports} key, the export
 * directory and the file names.
 */
public record BillingPeriod(String name, Granularity granularity, Instant start, Instant end) {

    private static final Pattern HOUR = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}$");
    private static final Pattern DAY = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");

    /**
     * The period a name denotes, or empty when it is neither {@code YYYY-MM-DDTHH} nor {@code YYYY-MM-DD} (UTC) of a
     * year from 1 on (year 0 parses as ISO, but is outside every range the API accepts).
     */
    public static Optional<BillingPeriod> parse(String name) {
        if (name == null || name.startsWith("0000")) {
            return Optional.empty();
        }
        try {
            if (DAY.matcher(name).matches()) {
                return Optional.of(day(LocalDate.parse(name)));
            }
            if (HOUR.matcher(name).matches()) {
                int hour = Integer.parseInt(name.substring(11));
                if (hour > 23) {
                    return Optional.empty();
                }
                return Optional.of(hour(LocalDate.parse(name.substring(0, 10)).atStartOfDay(ZoneOffset.UTC).toInstant()
                        .plus(Duration.ofHours(hour))));
            }
        } catch (DateTimeException e) {
            // 2026-02-30 and the like: a well-formed name of a day that does not exist.
        }
        return Optional.empty();
    }

    /** The hour containing {@code instant}. */
    static BillingPeriod hour(Instant instant) {
        Instant start = instant.truncatedTo(ChronoUnit.HOURS);
        String name = start.atOffset(ZoneOffset.UTC).toLocalDateTime().toString().substring(0, 13);
        return new BillingPeriod(name, Granularity.HOUR, start, start.plus(Duration.ofHours(1)));
    }

    static BillingPeriod day(LocalDate day) {
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        return new BillingPeriod(day.toString(), Granularity.DAY, start, start.plus(Duration.ofDays(1)));
    }

    /** The period of {@code granularity} containing {@code instant}. */
    static BillingPeriod containing(Granularity granularity, Instant instant) {
        return switch (granularity) {
            case HOUR -> hour(instant);
            case DAY -> day(LocalDate.ofInstant(instant, ZoneOffset.UTC));
        };
    }

    /** The last period of {@code granularity} that has ended at {@code now}. */
    static BillingPeriod previous(Granularity granularity, Instant now) {
        return containing(granularity, containing(granularity, now).start().minusNanos(1));
    }

    /** The period right after this one. */
    BillingPeriod next() {
        return containing(granularity, end);
    }

    /** Whether the period has ended at {@code now}, so its hours can be closed and exported. */
    boolean endedAt(Instant now) {
        return !end.isAfter(now);
    }
}
