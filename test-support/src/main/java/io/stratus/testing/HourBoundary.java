package io.stratus.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** For tests of work that is about "the previous hour" when it runs: keep that one hour for the whole test. */
public final class HourBoundary {

    private HourBoundary() {
    }

    /**
     * Returns at once when at least {@code needed} is left of the current UTC hour; otherwise sleeps into the next
     * hour (two seconds past it), so that a test taking up to {@code needed} never sees the hour change.
     */
    public static void awaitAtLeast(Duration needed) throws InterruptedException {
        Instant now = Instant.now();
        Instant nextHour = now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        if (Duration.between(now, nextHour).compareTo(needed) < 0) {
            Thread.sleep(Duration.between(now, nextHour).plusSeconds(2).toMillis());
        }
    }
}
