package io.stratus.agent.frontdoor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client's StartupMessage: its protocol version and parameters in the order sent. The front door reads
 * {@code database} (and {@code user}, for messages) and passes everything on, with the database renamed to the
 * compute's own when it is the last hop.
 */
record StartupMessage(int protocol, Map<String, String> parameters) {

    /** Parses the packet body after its length and version; null when it is malformed. */
    static StartupMessage parse(int protocol, ByteBuf body) {
        Map<String, String> params = new LinkedHashMap<>();
        while (body.isReadable()) {
            String name = cString(body);
            if (name == null) {
                return null;
            }
            if (name.isEmpty()) {
                return body.isReadable() ? null : new StartupMessage(protocol, Collections.unmodifiableMap(params));
            }
            String value = cString(body);
            if (value == null) {
                return null;
            }
            params.put(name, value);
        }
        return null; // no terminating zero
    }

    String user() {
        return parameters.getOrDefault("user", "");
    }

    /** The database the client asked for; Postgres' default is the user's name. */
    String database() {
        String db = parameters.get("database");
        return db == null || db.isEmpty() ? user() : db;
    }

    /** The same message asking for {@code database}. */
    StartupMessage withDatabase(String database) {
        Map<String, String> p = new LinkedHashMap<>(parameters);
        p.put("database", database);
        return new StartupMessage(protocol, Collections.unmodifiableMap(p));
    }

    ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(256);
        b.writeInt(0).writeInt(protocol);
        parameters.forEach((k, v) -> {
            b.writeCharSequence(k, StandardCharsets.UTF_8);
            b.writeByte(0);
            b.writeCharSequence(v, StandardCharsets.UTF_8);
            b.writeByte(0);
        });
        b.writeByte(0);
        b.setInt(0, b.writerIndex());
        return b;
    }

    private static String cString(ByteBuf b) {
        int zero = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) 0);
        if (zero < 0) {
            return null;
        }
        String s = b.toString(b.readerIndex(), zero - b.readerIndex(), StandardCharsets.UTF_8);
        b.readerIndex(zero + 1);
        return s;
    }
}
