package io.stratus.agent.frontdoor;

import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/** The computes of this node that take connections now, by the Unix socket their postmaster listens on. */
@FunctionalInterface
public interface LocalComputes {

    /** The compute's socket while its postmaster is up and its spec applied; empty otherwise. */
    Optional<Path> socketOf(UUID computeId);
}
