package io.stratus.controlplane.updates;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Moves every open rolling update on, each tick (every control plane runs it: {@link RollingUpdateSteps#advance} skips
 * an update another control plane is moving, so they share the work and never repeat a step). A fixed delay rather
 * than a Quartz job: a step is short, idempotent and picked up from the rows by whichever control plane ticks next, so
 * there is nothing to schedule that a lock on the update's row does not already serialise.
 */
@Component
class RollingUpdateDriver {

    private static final Logger log = LoggerFactory.getLogger(RollingUpdateDriver.class);

    private final RollingUpdateSteps updates;

    RollingUpdateDriver(RollingUpdateSteps updates) {
        this.updates = updates;
    }

    @Scheduled(fixedDelayString = "${stratus.updates.tick:1s}")
    void tick() {
        for (UUID id : updates.active()) {
            try (MDC.MDCCloseable ignored = MDC.putCloseable("rollingUpdateId", id.toString())) {
                updates.advance(id);
            } catch (RuntimeException e) {
                // The step's transaction rolled back whole: the next tick tries it again from the same rows.
                log.warn("rolling update {} could not advance: {}", id, e.toString(), e);
            }
        }
    }
}
