package io.stratus.agent.computes;

import java.util.UUID;

/**
 * Client connections to a compute that are past the front door's routing but not yet through their startup (the
 * password exchange): a postmaster stopped under one ends it with a FATAL the client sees as a failed connection.
 * A planned restart waits for them to finish after it has stopped routing new ones ({@link RestartSwitch}).
 */
@FunctionalInterface
public interface StartupsInFlight {

    /** Nobody counts them (tests without a front door): a planned restart does not wait. */
    StartupsInFlight NONE = id -> 0;

    long of(UUID computeId);
}
