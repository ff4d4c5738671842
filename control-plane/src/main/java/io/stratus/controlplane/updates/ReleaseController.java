package io.stratus.controlplane.updates;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.fleet.FleetDefaults;
import io.stratus.controlplane.security.OperatorOnly;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/admin/releases}: the Postgres releases the fleet can run, node by node. */
@RestController
@OperatorOnly
@Tag(name = "Rolling updates")
class ReleaseController {

    /** The majors of the embedded binaries on Maven Central (io.zonky.test.postgres) that agents resolve and cache. */
    static final List<String> RESOLVABLE_MAJORS = List.of("15", "16", "17", "18");

    private final Fleet fleet;
    private final FleetDefaults defaults;
    private final StratusSettings settings;

    ReleaseController(Fleet fleet, FleetDefaults defaults, StratusSettings settings) {
        this.fleet = fleet;
        this.defaults = defaults;
        this.settings = settings;
    }

    @Schema(name = "NodeReleases")
    record NodeReleases(UUID nodeId, String name, String state, List<String> releases) {
    }

    /**
     * @param defaultRelease    what a new database gets when it names no release
     * @param releases          every full version some node has, sorted
     * @param resolvableMajors  majors an agent can fetch from Maven Central when its host has none of them
     */
    @Schema(name = "FleetReleases")
    record Releases(String defaultRelease, List<String> releases, List<NodeReleases> nodes,
                    List<String> resolvableMajors) {
    }

    @GetMapping("/v1/admin/releases")
    @Operation(operationId = "listReleases", summary = "List the Postgres releases", description = """
            The Postgres releases each node can run, as its agent reported them when it registered (the host's \
            installation, configured directories, and embedded binaries it resolved from Maven Central into its \
            cache), every version some node has, the majors an agent can still fetch from Maven Central, and the \
            default release of new databases (moved by a completed rolling update). A rolling update's target must \
            be a version the databases' nodes have. Operator key only.""")
    Releases list() {
        List<NodeReleases> nodes = fleet.list().stream()
                .map(n -> new NodeReleases(n.id(), n.name(), n.state().name(), n.releases())).toList();
        return new Releases(defaults.defaultRelease().orElse(settings.defaultRelease()),
                List.copyOf(fleet.offeredReleases()), nodes, RESOLVABLE_MAJORS);
    }
}
