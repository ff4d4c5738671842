package io.stratus.agent.computes;

import java.util.UUID;

/**
 * Published on the reconcile thread just before a compute's running postmaster is stopped (suspended) or the compute
 * is deleted, and handled before that goes on: the last moment its statistics can be read, in particular its usage
 * since the last metering pass. After a stop they would only be readable again once it resumes, after a deletion never.
 *
 * @param deleting the compute is being deleted, not only stopped
 */
public record ComputeStopping(UUID computeId, boolean deleting) {
}
