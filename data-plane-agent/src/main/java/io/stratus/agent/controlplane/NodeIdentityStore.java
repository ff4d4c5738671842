package io.stratus.agent.controlplane;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.support.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Keeps the node identity in {@code <dataDir>/node.json}: mode 0600, replaced atomically. */
@Component
class NodeIdentityStore {

    private static final Logger log = LoggerFactory.getLogger(NodeIdentityStore.class);

    private final Path file;
    private final JsonMapper json;

    NodeIdentityStore(AgentPaths paths, JsonMapper json) {
        this.file = paths.nodeFile();
        this.json = json;
    }

    Optional<NodeIdentity> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            NodeIdentity identity = json.readValue(Files.readAllBytes(file), NodeIdentity.class);
            if (identity.nodeId() == null || identity.credential() == null || identity.credential().isBlank()) {
                log.warn("ignoring incomplete {}; registering again", file);
                return Optional.empty();
            }
            return Optional.of(identity);
        } catch (IOException | JacksonException e) {
            log.warn("ignoring unreadable {}; registering again: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    void save(NodeIdentity identity) {
        try {
            PrivateFiles.write(file, json.writeValueAsBytes(identity));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }
}
