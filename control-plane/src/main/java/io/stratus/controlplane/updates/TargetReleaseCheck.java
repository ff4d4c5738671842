package io.stratus.controlplane.updates;

import io.stratus.controlplane.databases.DatabaseTargets;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.web.ApiException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * A rolling update's target release against the fleet: one some node has, of the selected databases' own major (a
 * major version change needs pg_upgrade, which rolling updates do not do), on every one of their nodes. Refused up
 * front with a reason rather than failed on every compute.
 */
@Component
class TargetReleaseCheck {

    private final Fleet fleet;

    TargetReleaseCheck(Fleet fleet) {
        this.fleet = fleet;
    }

    /** @throws ApiException 400 on {@code target.release} */
    void requireRunnable(String release, List<DatabaseTargets.Target> members) {
        SortedSet<String> offered = fleet.offeredReleases();
        if (!offered.contains(release)) {
            throw ApiException.invalid("target.release", "no node runs PostgreSQL " + release + " (the fleet runs "
                    + (offered.isEmpty() ? "nothing yet" : String.join(", ", offered)) + ")");
        }
        String major = major(release);
        List<DatabaseTargets.Target> otherMajor = members.stream().filter(m -> !major.equals(major(runs(m)))).toList();
        if (!otherMajor.isEmpty()) {
            DatabaseTargets.Target m = otherMajor.get(0);
            throw ApiException.invalid("target.release", "is PostgreSQL " + major + ", but " + otherMajor.size()
                    + " selected database(s) run PostgreSQL " + major(runs(m)) + " (e.g. " + m.name() + "): a rolling"
                    + " update changes the minor version only; a major version change needs pg_upgrade, which rolling"
                    + " updates do not do");
        }
        Map<UUID, List<String>> nodeReleases = new LinkedHashMap<>();
        for (DatabaseTargets.Target m : members) {
            List<String> has = nodeReleases.computeIfAbsent(m.nodeId(),
                    n -> fleet.find(n).map(Fleet.NodeView::releases).orElse(List.of()));
            if (!has.contains(release)) {
                throw ApiException.invalid("target.release", "node " + fleet.find(m.nodeId()).map(Fleet.NodeView::name)
                        .orElse(String.valueOf(m.nodeId())) + " (of database " + m.name() + ") does not have PostgreSQL "
                        + release + " (it has " + String.join(", ", has) + ")");
            }
        }
    }

    /** What a database runs as far as is known: the version its agent reported, else what it asks for. */
    private static String runs(DatabaseTargets.Target m) {
        return m.runningRelease() != null ? m.runningRelease() : m.release();
    }

    static String major(String release) {
        int dot = release.indexOf('.');
        return dot < 0 ? release : release.substring(0, dot);
    }
}
