package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.support.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes {@code computes/<id>/compute.json}: mode 0600 (it holds the owner's verifier), replaced atomically. */
final class AppliedComputes {

    private static final Logger log = LoggerFactory.getLogger(AppliedComputes.class);

    private final AgentPaths paths;
    private final JsonMapper json;

    AppliedComputes(AgentPaths paths, JsonMapper json) {
        this.paths = paths;
        this.json = json;
    }

    Optional<AppliedCompute> read(UUID computeId) {
        Path file = paths.appliedFile(computeId);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file), AppliedCompute.class));
        } catch (IOException | JacksonException e) {
            // Treated as never applied: the next pass redoes every step, which is safe because each is idempotent.
            log.warn("ignoring unreadable {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    void write(AppliedCompute applied) {
        Path file = paths.appliedFile(applied.spec().computeId());
        try {
            PrivateFiles.write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(applied));
        } catch (IOException e) {
            throw new ComputeFailure("cannot write " + file + ": " + e.getMessage());
        }
    }
}
