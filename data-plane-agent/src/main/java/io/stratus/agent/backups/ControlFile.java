package io.stratus.agent.backups;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * The head of {@code global/pg_control}, read without a running server (the embedded releases ship no
 * pg_controldata): what a cold backup of a stopped compute needs to say where its data stands. The fields read here
 * open {@code ControlFileData} in every release from 9.3 to 18 (host byte order: the agent runs on the same machine).
 *
 * @param state      {@code DBState}; 1 is "shut down"
 * @param time       when the file was last written (at a shutdown: the shutdown)
 * @param checkpoint the last checkpoint's LSN
 * @param timeline   the timeline of that checkpoint
 */
record ControlFile(int state, Instant time, long checkpoint, long timeline) {

    static final int SHUT_DOWN = 1;

    static ControlFile read(Path pgdata) throws IOException {
        byte[] bytes = Files.readAllBytes(pgdata.resolve("global").resolve("pg_control"));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        int state = b.getInt(16);
        long time = b.getLong(24);
        long checkpoint = b.getLong(32);
        long timeline = Integer.toUnsignedLong(b.getInt(48));
        return new ControlFile(state, Instant.ofEpochSecond(time), checkpoint, timeline);
    }

    String checkpointLsn() {
        return String.format(Locale.ROOT, "%X/%X", checkpoint >>> 32, checkpoint & 0xFFFFFFFFL);
    }
}
