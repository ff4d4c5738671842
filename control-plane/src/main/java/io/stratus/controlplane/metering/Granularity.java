package io.stratus.controlplane.metering;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** UTC hours or UTC days: the buckets of the usage API's series and the lengths of billing periods. */
public enum Granularity {
    HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS);

    private final ChronoUnit unit;

    Granularity(ChronoUnit unit) {
        this.unit = unit;
    }

    static Optional<Granularity> fromWire(String value) {
        for (Granularity g : values()) {
            if (g.wire().equals(value)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    String sqlUnit() {
        return wire();
    }

    Duration length() {
        return unit.getDuration();
    }

    boolean aligned(Instant t) {
        return t.truncatedTo(unit).equals(t);
    }

    Instant floor(Instant t) {
        return t.truncatedTo(unit);
    }

    Instant ceiling(Instant t) {
        Instant f = floor(t);
        return f.equals(t) ? t : f.plus(length());
    }
}
