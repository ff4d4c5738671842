package io.stratus.controlplane.databases;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.web.ApiException;
import java.util.Set;
import java.util.SortedSet;
import org.springframework.stereotype.Component;

/**
 * Refuses a release no node could run: "99" or "15.99" used to be accepted and wait unplaced. A full version is
 * accepted only when a registered node reports it; a major when a node runs it or it is one Stratus supports (15 to
 * 18, the majors of the embedded binaries on Maven Central): a fleet being set up may not have registered the node for
 * it yet. A database that waits unplaced still fails when its operation times out ({@code stratus.operation-timeout}).
 */
@Component
class ReleaseCheck {

    /** The majors Stratus supports: those of the embedded PostgreSQL binaries (io.zonky.test.postgres). */
    static final Set<String> EMBEDDED_MAJORS = Set.of("15", "16", "17", "18");

    private final Fleet fleet;

    ReleaseCheck(Fleet fleet) {
        this.fleet = fleet;
    }

    void requireRunnable(String release) {
        SortedSet<String> offered = fleet.offeredReleases();
        if (offered.stream().anyMatch(r -> Fleet.runs(r, release))) {
            return;
        }
        if (!release.contains(".") && EMBEDDED_MAJORS.contains(release)) {
            return;
        }
        throw ApiException.invalid("release", "no node runs PostgreSQL " + release + " (the fleet runs "
                + (offered.isEmpty() ? "nothing yet" : String.join(", ", offered)) + "; majors Stratus supports: "
                + String.join(", ", new java.util.TreeSet<>(EMBEDDED_MAJORS)) + ")");
    }
}
