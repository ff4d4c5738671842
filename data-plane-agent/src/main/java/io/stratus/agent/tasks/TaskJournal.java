package io.stratus.agent.tasks;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.support.PrivateFiles;
import io.stratus.protocol.TaskSpec;
import io.stratus.protocol.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every task the agent holds, one file each ({@code tasks/<id>.json}, replaced atomically), written before a task runs
 * and whenever its state changes: what an agent killed mid-task finds at its next start.
 */
final class TaskJournal {

    private static final Logger log = LoggerFactory.getLogger(TaskJournal.class);

    /** A task and where it stands. */
    record Entry(TaskSpec spec, TaskStatus status) {
    }

    private final Path dir;
    private final JsonMapper json;

    TaskJournal(AgentPaths paths, JsonMapper json) {
        this.dir = paths.tasks();
        this.json = json;
    }

    void write(Entry entry) {
        try {
            Files.createDirectories(dir);
            PrivateFiles.write(file(entry.spec().id()), json.writeValueAsBytes(entry));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write task " + entry.spec().id() + ": " + e.getMessage(), e);
        }
    }

    void remove(UUID id) {
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            log.warn("cannot remove task file {}: {}", file(id), e.getMessage());
        }
    }

    List<Entry> readAll() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    entries.add(json.readValue(Files.readAllBytes(f), Entry.class));
                } catch (IOException | JacksonException e) {
                    // Written atomically, so this is not a torn write: keep the file for a person to look at.
                    log.warn("ignoring unreadable task file {}: {}", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
        return entries;
    }

    private Path file(UUID id) {
        return dir.resolve(id + ".json");
    }
}
