package io.stratus.agent.computes;

import java.util.UUID;

/**
 * Published on the reconcile thread just before a compute's postmaster and data are destroyed, and handled before the
 * deletion goes on: the last moment anything about the compute can still be read (its usage since the last metering
 * pass, in particular).
 */
public record ComputeDeleting(UUID computeId) {
}
