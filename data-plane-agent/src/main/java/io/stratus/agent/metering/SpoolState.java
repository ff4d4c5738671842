package io.stratus.agent.metering;

import io.stratus.agent.support.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;

/**
 * The spool's position: acknowledged-through seq, last seq used, and every compute's latest cursor. Held in memory and
 * written to {@code state.json} (atomically, see {@link PrivateFiles#write}) at each acknowledgement, before the
 * acknowledged segments go: the cursors they held and the highest seq used survive their deletion, so sequence numbers
 * are never reused.
 *
 * <p>Not thread-safe: the {@link UsageSpool}'s lock guards it.
 */
final class SpoolState {

    static final String FILE = "state.json";

    /** state.json. */
    record State(long ackedThrough, long lastSeq, List<PositionedCursor> cursors) {
    }

    /** A cursor and the seq of the line that set it: of two, the higher seq is the newer. */
    record PositionedCursor(long seq, UsageCursor cursor) {
    }

    private final Path dir;
    private final SpoolCodec codec;
    private final Map<UUID, PositionedCursor> cursors = new HashMap<>();
    private long lastSeq;
    private long ackedThrough;

    /** @param codec its mapper writes state.json too, so that file's format never changes with the application's */
    SpoolState(Path dir, SpoolCodec codec) {
        this.dir = dir;
        this.codec = codec;
    }

    /** Reads state.json if there is one; a leftover temp file of an interrupted write is dropped. */
    void load() throws IOException {
        Files.deleteIfExists(dir.resolve(FILE + ".tmp"));
        Path statePath = dir.resolve(FILE);
        if (!Files.exists(statePath)) {
            return;
        }
        State state;
        try {
            state = codec.json().readValue(Files.readAllBytes(statePath), State.class);
        } catch (JacksonException e) {
            // Written by rename only, so never torn; a broken one was broken by someone else.
            throw new IOException("unreadable usage spool state " + statePath + ": " + e.getOriginalMessage(), e);
        }
        ackedThrough = state.ackedThrough();
        lastSeq = state.lastSeq();
        state.cursors().forEach(this::offer);
    }

    void write() throws IOException {
        PrivateFiles.write(dir.resolve(FILE), codec.json().writeValueAsBytes(
                new State(ackedThrough, lastSeq, List.copyOf(cursors.values()))));
    }

    /** A line found in a segment on recovery: its cursor counts if newer than the one known, its seq was used. */
    void recovered(SpoolEntry entry) {
        long seq = entry.record().seq();
        offer(new PositionedCursor(seq, entry.cursor()));
        lastSeq = Math.max(lastSeq, seq);
    }

    /** Lines just made durable, in seq order: each moves its compute's cursor. */
    void appended(List<SpoolEntry> numbered) {
        lastSeq = numbered.get(numbered.size() - 1).record().seq();
        for (SpoolEntry entry : numbered) {
            cursors.put(entry.cursor().computeId(), new PositionedCursor(entry.record().seq(), entry.cursor()));
        }
    }

    /**
     * Moves acknowledged-through to {@code throughSeq}, never beyond the last seq used (an acknowledgement of more than
     * was sent acknowledges what was sent).
     *
     * @return false when that acknowledges nothing new
     */
    boolean acknowledge(long throughSeq) {
        long through = Math.min(throughSeq, lastSeq);
        if (through <= ackedThrough) {
            return false;
        }
        ackedThrough = through;
        return true;
    }

    Optional<UsageCursor> cursor(UUID computeId) {
        return Optional.ofNullable(cursors.get(computeId)).map(PositionedCursor::cursor);
    }

    Set<UUID> computes() {
        return Set.copyOf(cursors.keySet());
    }

    void forget(UUID computeId) {
        cursors.remove(computeId);
    }

    long lastSeq() {
        return lastSeq;
    }

    long ackedThrough() {
        return ackedThrough;
    }

    private void offer(PositionedCursor candidate) {
        cursors.merge(candidate.cursor().computeId(), candidate, (a, b) -> b.seq() > a.seq() ? b : a);
    }
}
