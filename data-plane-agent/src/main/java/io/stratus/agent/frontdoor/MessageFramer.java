package io.stratus.agent.frontdoor;

import io.netty.buffer.ByteBuf;

/**
 * Follows the message boundaries of a relayed stream without copying it (type byte, length, body): of the server's,
 * so that the front door can add a message of its own between two of the server's, never inside one; of either, to
 * tell a {@link Sink} each message's type (and, for the types it asks for, the start of its body) for metering.
 */
final class MessageFramer {

    /** What the stream's messages are told to. */
    interface Sink {
        /** Whether {@link #body} should get this type's body (up to {@link StatementMeter#MAX_BODY} bytes). */
        boolean wantsBody(byte type);

        /** A message of this type started (its header is complete). */
        void message(byte type);

        /** The body of a message whose type it wanted, once complete (cut at {@code MAX_BODY} bytes). */
        void body(byte type, byte[] body, int length);
    }

    private final Sink sink;
    private final byte[] body;
    private int headerBytes;
    private byte type;
    private int length;
    private long remaining;
    private int bodyLength;
    private boolean capturing;

    /** A framer that only follows boundaries. */
    MessageFramer() {
        this(null);
    }

    MessageFramer(Sink sink) {
        this.sink = sink;
        this.body = sink == null ? null : new byte[StatementMeter.MAX_BODY];
    }

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
                if (capturing) {
                    int take = Math.min(skip, body.length - bodyLength);
                    buf.getBytes(i, body, bodyLength, take);
                    bodyLength += take;
                }
                remaining -= skip;
                i += skip;
                if (remaining == 0 && capturing) {
                    capturing = false;
                    sink.body(type, body, bodyLength);
                }
            } else {
                // Header: one type byte, then a 4-byte big-endian length that counts itself.
                if (headerBytes == 0) {
                    type = buf.getByte(i);
                } else {
                    length = (length << 8) | (buf.getByte(i) & 0xff);
                }
                headerBytes++;
                i++;
                if (headerBytes == 5) {
                    remaining = (length & 0xffffffffL) - 4;
                    headerBytes = 0;
                    length = 0;
                    if (sink != null) {
                        sink.message(type);
                        if (sink.wantsBody(type)) {
                            bodyLength = 0;
                            capturing = remaining > 0;
                            if (!capturing) {
                                sink.body(type, body, 0);
                            }
                        }
                    }
                }
            }
            if (stopAtBoundary && atBoundary()) {
                return i - from;
            }
        }
        return -1;
    }
}
