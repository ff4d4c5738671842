package io.stratus.agent.backups;

import io.stratus.agent.AgentPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What {@code compute.json} says of a compute that is not running: its database, owner and release. */
record ComputeOnDisk(String databaseName, String ownerRole, String release) {

    static ComputeOnDisk read(AgentPaths paths, JsonMapper json, UUID computeId) throws IOException {
        JsonNode applied = json.readTree(Files.readAllBytes(paths.appliedFile(computeId)));
        return new ComputeOnDisk(applied.at("/spec/databaseName").asString(), applied.at("/spec/ownerRole").asString(),
                applied.at("/release").asString());
    }
}
