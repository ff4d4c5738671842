package io.stratus.agent.frontdoor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** The few Postgres protocol messages the front door writes itself, and the codes of the ones it reads. */
final class PgWire {

    static final int PROTOCOL_3 = 3 << 16;
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;
    /** Longest startup packet Postgres itself accepts (MAX_STARTUP_PACKET_LENGTH). */
    static final int MAX_STARTUP = 10000;

    static final byte BACKEND_KEY_DATA = 'K';
    static final byte READY_FOR_QUERY = 'Z';
    static final byte ERROR_RESPONSE = 'E';
    static final byte COMMAND_COMPLETE = 'C';
    static final byte DATA_ROW = 'D';
    static final byte COPY_IN_RESPONSE = 'G';
    static final byte COPY_OUT_RESPONSE = 'H';
    static final byte PORTAL_SUSPENDED = 's';
    static final byte EMPTY_QUERY_RESPONSE = 'I';
    // Client messages.
    static final byte QUERY = 'Q';
    static final byte EXECUTE = 'E';
    static final byte SYNC = 'S';
    static final byte FUNCTION_CALL = 'F';

    // SQLSTATEs a client can meet at the front door, as Postgres uses them.
    static final String INVALID_CATALOG_NAME = "3D000";
    static final String CANNOT_CONNECT_NOW = "57P03";
    static final String ADMIN_SHUTDOWN = "57P01";
    static final String PROTOCOL_VIOLATION = "08P01";
    static final String INVALID_AUTHORIZATION = "28000";
    static final String CONNECTION_FAILURE = "08006";

    private PgWire() {
    }

    /** A FATAL ErrorResponse, as the postmaster sends one before it hangs up. */
    static ByteBuf fatal(ByteBufAllocator alloc, String sqlState, String message) {
        ByteBuf b = alloc.buffer(64 + message.length() * 2);
        b.writeByte(ERROR_RESPONSE);
        int lengthAt = b.writerIndex();
        b.writeInt(0);
        field(b, 'S', "FATAL");
        field(b, 'V', "FATAL");
        field(b, 'C', sqlState);
        field(b, 'M', message);
        b.writeByte(0);
        b.setInt(lengthAt, b.writerIndex() - lengthAt);
        return b;
    }

    /** A CancelRequest packet for a backend key. */
    static ByteBuf cancelRequest(ByteBufAllocator alloc, int pid, byte[] secret) {
        ByteBuf b = alloc.buffer(12 + secret.length);
        b.writeInt(12 + secret.length).writeInt(CANCEL_REQUEST).writeInt(pid).writeBytes(secret);
        return b;
    }

    /** BackendKeyData with the front door's own key for the session. */
    static ByteBuf backendKeyData(ByteBufAllocator alloc, int pid, int secret) {
        return alloc.buffer(13).writeByte(BACKEND_KEY_DATA).writeInt(12).writeInt(pid).writeInt(secret);
    }

    /** The SQLSTATE of an ErrorResponse's body (after type and length), or null. */
    static String sqlState(ByteBuf body) {
        int i = body.readerIndex();
        int end = body.writerIndex();
        while (i < end) {
            byte field = body.getByte(i++);
            if (field == 0) {
                return null;
            }
            int zero = body.indexOf(i, end, (byte) 0);
            if (zero < 0) {
                return null;
            }
            if (field == 'C') {
                return body.toString(i, zero - i, StandardCharsets.UTF_8);
            }
            i = zero + 1;
        }
        return null;
    }

    private static void field(ByteBuf b, char type, String value) {
        b.writeByte(type);
        b.writeCharSequence(value, StandardCharsets.UTF_8);
        b.writeByte(0);
    }
}
