package io.stratus.agent.frontdoor;

import io.netty.buffer.ByteBuf;

/**
 * Follows the message boundaries of a relayed server-to-client stream without copying it (type byte, length, body),
 * so that the front door can add a message of its own between two of the server's, never inside one.
 */
final class MessageFramer {

    private int headerBytes;
    private int length;
    private long remaining;

    /** True between two messages. */
    boolean atBoundary() {
        return headerBytes == 0 && remaining == 0;
    }

    /** Follows all of {@code buf} (its readable bytes; indexes are not moved). */
    void advance(ByteBuf buf) {
        advance(buf, buf.readerIndex(), buf.writerIndex(), false);
    }

    /**
     * Follows {@code buf} up to the first boundary after at least one byte, and returns how many of its bytes that
     * took; -1 when the buffer ends inside a message (all of it followed).
     */
    int advanceToBoundary(ByteBuf buf) {
        return advance(buf, buf.readerIndex(), buf.writerIndex(), true);
    }

    private int advance(ByteBuf buf, int from, int to, boolean stopAtBoundary) {
        int i = from;
        while (i < to) {
            if (remaining > 0) {
                int skip = (int) Math.min(remaining, to - i);
                remaining -= skip;
                i += skip;
            } else {
                // Header: one type byte, then a 4-byte big-endian length that counts itself.
                if (headerBytes > 0) {
                    length = (length << 8) | (buf.getByte(i) & 0xff);
                }
                headerBytes++;
                i++;
                if (headerBytes == 5) {
                    remaining = (length & 0xffffffffL) - 4;
                    headerBytes = 0;
                    length = 0;
                }
            }
            if (stopAtBoundary && atBoundary()) {
                return i - from;
            }
        }
        return -1;
    }
}
