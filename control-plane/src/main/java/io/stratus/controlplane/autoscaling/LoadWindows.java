package io.stratus.controlplane.autoscaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The recent samples of each compute, in memory, trimmed to a little more than the downscale window. After a
 * control-plane restart a window starts empty, which only delays a downscale by one window: safe.
 */
@Component
class LoadWindows {

    private final Map<UUID, Deque<ScalingPolicy.Sample>> windows = new ConcurrentHashMap<>();
    private final Duration keep;

    LoadWindows(AutoscalingSettings settings) {
        this.keep = settings.downscaleWindow().plusSeconds(5);
    }

    List<ScalingPolicy.Sample> add(UUID databaseId, ScalingPolicy.Sample sample, Instant now) {
        Deque<ScalingPolicy.Sample> w = windows.computeIfAbsent(databaseId, k -> new ArrayDeque<>());
        synchronized (w) {
            w.addLast(sample);
            Instant oldest = now.minus(keep);
            while (!w.isEmpty() && w.peekFirst().at().isBefore(oldest)) {
                w.removeFirst();
            }
            return List.copyOf(w);
        }
    }

    void clear(UUID databaseId) {
        windows.remove(databaseId);
    }
}
