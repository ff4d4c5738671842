package io.stratus.agent.frontdoor;

import io.stratus.agent.metering.WireTally;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Meters one session from its messages, as the front door relays them: a request per statement the client sent that
 * completed, with its rows from the command tag, and the bytes each way. Billing rules (also in docs/api.md):
 * <ul>
 *   <li>Every {@code CommandComplete} is one request, whatever the protocol: each statement of a multi-statement
 *       {@code Query}, each {@code Execute} that completes, each SQL {@code FETCH}. Except the framing of requests,
 *       which is never billed: {@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT} (also {@code END}),
 *       {@code ROLLBACK} (also {@code ABORT} and {@code ROLLBACK TO}), {@code SAVEPOINT}, {@code RELEASE}, two-phase
 *       {@code PREPARE TRANSACTION}, {@code COMMIT PREPARED}, {@code ROLLBACK PREPARED}, and SQL-level
 *       {@code PREPARE} and {@code DEALLOCATE} (as a protocol-level Parse is none).
 *   <li>A portal fetched in parts ({@code Execute} with a row limit, answered {@code PortalSuspended}) is one request,
 *       billed at its first part, however many fetches follow and whether or not the client reads it to the end; its
 *       rows are the {@code DataRow}s sent, part by part. Statements run between its parts are requests of their own.
 *   <li>A statement that fails ({@code ErrorResponse} instead of its first {@code CommandComplete} or
 *       {@code PortalSuspended}) is not billed, nor are the rows it sent before failing; the same in both protocols.
 *   <li>Rows read: {@code SELECT n} and {@code FETCH n}: the rows sent to the client ({@code DataRow}s), or n when
 *       none were sent ({@code SELECT ... INTO}, {@code CREATE TABLE ... AS}); {@code COPY n} after a
 *       {@code CopyOutResponse}. Rows written: {@code INSERT 0 n}, {@code UPDATE n}, {@code DELETE n},
 *       {@code MERGE n}, {@code COPY n} after a {@code CopyInResponse} ({@code RETURNING} rows are not reads).
 * </ul>
 * The server answers a session's messages in the order they were sent, so the meter keeps what the client asked for
 * in a queue ({@code Query}, {@code Execute} and its portal, {@code Sync}) and gives each server message to the request
 * it answers: the only way to tell a portal's next part from a statement run between two of its parts.
 *
 * <p>Counts are kept per session and added to the database's {@link WireTally.Counters} at {@link #flush()}, which the
 * session calls after each batch it relays, so the tally is never more than one read behind the wire. Runs on the
 * session's event loop only.
 */
final class StatementMeter {

    /** Longest message body kept: the longest real tag ({@code INSERT 0 <20 digits>}) and portal name fit. */
    static final int MAX_BODY = 64;

    private static final Set<String> NOT_REQUESTS = Set.of("BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK",
            "SAVEPOINT", "RELEASE", "PREPARE TRANSACTION", "COMMIT PREPARED", "ROLLBACK PREPARED", "PREPARE",
            "DEALLOCATE", "DEALLOCATE ALL");

    private enum Copy { NONE, IN, OUT }

    private enum Kind { QUERY, EXECUTE, SYNC, FUNCTION_CALL }

    /** Something the client asked for, waiting for the server's answer. */
    private record Unit(Kind kind, String portal) {
        static final Unit QUERY = new Unit(Kind.QUERY, null);
        static final Unit SYNC = new Unit(Kind.SYNC, null);
        static final Unit FUNCTION_CALL = new Unit(Kind.FUNCTION_CALL, null);
    }

    private final WireTally.Counters counters;
    private final ArrayDeque<Unit> units = new ArrayDeque<>();
    /** Portals suspended after at least one part: already billed. */
    private final Set<String> suspended = new HashSet<>();
    private long requests;
    private long rowsRead;
    private long rowsWritten;
    private long egressBytes;
    private long ingressBytes;
    private long dataRows;
    private Copy copy = Copy.NONE;

    StatementMeter(WireTally.Counters counters) {
        this.counters = counters;
    }

    /** What the server sends: the answers. */
    MessageFramer.Sink server() {
        return new MessageFramer.Sink() {
            @Override
            public boolean wantsBody(byte type) {
                return type == PgWire.COMMAND_COMPLETE || type == PgWire.READY_FOR_QUERY;
            }

            @Override
            public void message(byte type) {
                switch (type) {
                    case PgWire.DATA_ROW -> dataRows++;
                    case PgWire.COPY_IN_RESPONSE -> copy = Copy.IN;
                    case PgWire.COPY_OUT_RESPONSE -> copy = Copy.OUT;
                    case PgWire.PORTAL_SUSPENDED -> portalSuspended();
                    case PgWire.EMPTY_QUERY_RESPONSE -> emptyQuery();
                    case PgWire.ERROR_RESPONSE -> error();
                    default -> {
                        // Everything else is neither a request nor rows.
                    }
                }
            }

            @Override
            public void body(byte type, byte[] body, int length) {
                if (type == PgWire.READY_FOR_QUERY) {
                    ready(length > 0 ? body[0] : (byte) 'I');
                    return;
                }
                // A tag is NUL-terminated text: "INSERT 0 5", "SELECT 3", "CREATE TABLE".
                int end = 0;
                while (end < length && body[end] != 0) {
                    end++;
                }
                commandComplete(new String(body, 0, end, StandardCharsets.US_ASCII));
            }
        };
    }

    /** What the client sends: the questions, in the order they will be answered. */
    MessageFramer.Sink client() {
        return new MessageFramer.Sink() {
            @Override
            public boolean wantsBody(byte type) {
                return type == PgWire.EXECUTE;
            }

            @Override
            public void message(byte type) {
                switch (type) {
                    case PgWire.QUERY -> units.add(Unit.QUERY);
                    case PgWire.SYNC -> units.add(Unit.SYNC);
                    case PgWire.FUNCTION_CALL -> units.add(Unit.FUNCTION_CALL);
                    default -> {
                        // Parse, Bind, Describe, Close, Flush, CopyData...: answered without a request's end.
                    }
                }
            }

            @Override
            public void body(byte type, byte[] body, int length) {
                // Execute: the portal's name (NUL-terminated; "" is the unnamed portal), then the row limit.
                int end = 0;
                while (end < length && body[end] != 0) {
                    end++;
                }
                units.add(new Unit(Kind.EXECUTE, new String(body, 0, end, StandardCharsets.UTF_8)));
            }
        };
    }

    void commandComplete(String tag) {
        Unit head = units.peek();
        int space = tag.indexOf(' ');
        String command = space < 0 ? tag : tag.substring(0, space);
        if (head != null && head.kind() == Kind.EXECUTE) {
            units.poll();
            if (suspended.remove(head.portal())) {
                // The last part of a portal billed at its first: only the rows of this part.
                if (command.equals("SELECT") || command.equals("FETCH")) {
                    rowsRead += dataRows;
                }
                endStatement();
                return;
            }
        }
        if (!NOT_REQUESTS.contains(tag)) {
            requests++;
        }
        long n = rowCount(tag);
        if (n >= 0) {
            switch (command) {
                case "SELECT", "FETCH" -> rowsRead += dataRows > 0 ? dataRows : n;
                case "INSERT", "UPDATE", "DELETE", "MERGE" -> rowsWritten += n;
                case "COPY" -> {
                    if (copy == Copy.IN) {
                        rowsWritten += n;
                    } else if (copy == Copy.OUT) {
                        rowsRead += n;
                    }
                }
                default -> {
                    // MOVE n and the like: no rows to the client.
                }
            }
        }
        endStatement();
    }

    private void portalSuspended() {
        Unit head = units.peek();
        if (head != null && head.kind() == Kind.EXECUTE) {
            units.poll();
            if (suspended.add(head.portal())) {
                requests++;
            }
        } else {
            requests++; // not seen being asked for: billed as a statement of its own
        }
        rowsRead += dataRows;
        endStatement();
    }

    private void emptyQuery() {
        Unit head = units.peek();
        if (head != null && head.kind() == Kind.EXECUTE) {
            units.poll();
        }
        endStatement();
    }

    /**
     * The statement failed: not billed. In the extended protocol the server then skips everything up to the next Sync,
     * so the Executes queued before it will get no answer.
     */
    private void error() {
        Unit head = units.peek();
        if (head != null && head.kind() == Kind.EXECUTE) {
            while (!units.isEmpty() && units.peek().kind() == Kind.EXECUTE) {
                suspended.remove(units.poll().portal());
            }
        }
        endStatement();
    }

    /** The end of a Query, a Sync or a function call; at the end of a transaction its portals are gone. */
    private void ready(byte transactionStatus) {
        while (!units.isEmpty()) {
            Kind k = units.poll().kind();
            if (k != Kind.EXECUTE) {
                break;
            }
        }
        if (transactionStatus == 'I') {
            suspended.clear();
        }
        endStatement();
    }

    void sent(long bytes) {
        egressBytes += bytes;
    }

    void received(long bytes) {
        ingressBytes += bytes;
    }

    /** Adds what this session counted since the last flush to its database's tally. */
    void flush() {
        if ((requests | rowsRead | rowsWritten | egressBytes | ingressBytes) == 0) {
            return;
        }
        counters.add(requests, rowsRead, rowsWritten, egressBytes, ingressBytes);
        requests = 0;
        rowsRead = 0;
        rowsWritten = 0;
        egressBytes = 0;
        ingressBytes = 0;
    }

    private void endStatement() {
        dataRows = 0;
        copy = Copy.NONE;
    }

    /** The tag's trailing row count, or -1 when its last word is not one ("CREATE TABLE", "ALTER ROLE"). */
    private static long rowCount(String tag) {
        int from = tag.lastIndexOf(' ') + 1;
        if (from == 0 || from >= tag.length()) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < tag.length(); i++) {
            char c = tag.charAt(i);
            if (c < '0' || c > '9' || n > Long.MAX_VALUE / 10 - 1) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
