package io.stratus.controlplane.autoscaling;

import java.time.Clock;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Drops per-second samples older than {@code stratus.autoscaling.sample-retention}. */
@Component
class SampleRetention {

    private final ScalingHistory history;
    private final AutoscalingSettings settings;
    private final Clock clock;

    SampleRetention(ScalingHistory history, AutoscalingSettings settings, Clock clock) {
        this.history = history;
        this.settings = settings;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${stratus.autoscaling.retention-interval:10m}")
    void prune() {
        history.deleteSamplesBefore(clock.instant().minus(settings.sampleRetention()));
    }
}
