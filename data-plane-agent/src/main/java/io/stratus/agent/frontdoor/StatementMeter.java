package io.stratus.agent.frontdoor;

import io.stratus.agent.metering.WireTally;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Meters one session from the server's messages, as the front door relays them: a request per {@code CommandComplete}
 * of a statement the client sent, with its rows from the command tag, and the bytes each way. Billing rules (also in
 * docs/api.md):
 * <ul>
 *   <li>Every {@code CommandComplete} is one request, whatever the protocol: each statement of a multi-statement
 *       {@code Query}, each {@code Execute} that completes (a portal fetched in parts completes once), each SQL
 *       {@code FETCH}. Except the framing of requests, which is never billed: {@code BEGIN}, {@code START
 *       TRANSACTION}, {@code COMMIT} (also {@code END}), {@code ROLLBACK} (also {@code ABORT} and {@code ROLLBACK TO}),
 *       {@code SAVEPOINT}, {@code RELEASE}, two-phase {@code PREPARE TRANSACTION}, {@code COMMIT PREPARED},
 *       {@code ROLLBACK PREPARED}, and SQL-level {@code PREPARE} and {@code DEALLOCATE} (as a protocol-level Parse is
 *       none).
 *   <li>A statement that fails ({@code ErrorResponse} instead of {@code CommandComplete}) is not billed, nor are the
 *       rows it sent before failing; the same in both protocols, since both end a failed statement that way.
 *   <li>Rows read: {@code SELECT n} and {@code FETCH n}: the rows sent to the client ({@code DataRow}s, all the
 *       fetches of a portal together), or n when none were sent ({@code SELECT ... INTO}, {@code CREATE TABLE ... AS});
 *       {@code COPY n} after a {@code CopyOutResponse}. Rows written: {@code INSERT 0 n}, {@code UPDATE n},
 *       {@code DELETE n}, {@code MERGE n}, {@code COPY n} after a {@code CopyInResponse} ({@code RETURNING} rows are
 *       not reads).
 * </ul>
 * Counts are kept per session and added to the database's {@link WireTally.Counters} at {@link #flush()}, which the
 * session calls after each batch it relays, so the tally is never more than one read behind the wire.
 *
 * <p>Runs on the session's event loop only.
 */
final class StatementMeter implements MessageFramer.Sink {

    /** Longest command tag kept: the longest real one ({@code PREPARE TRANSACTION}, {@code INSERT 0 <20 digits>}) fits. */
    static final int MAX_TAG = 64;

    private static final Set<String> NOT_REQUESTS = Set.of("BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK",
            "SAVEPOINT", "RELEASE", "PREPARE TRANSACTION", "COMMIT PREPARED", "ROLLBACK PREPARED", "PREPARE",
            "DEALLOCATE", "DEALLOCATE ALL");

    private enum Copy { NONE, IN, OUT }

    private final WireTally.Counters counters;
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

    @Override
    public boolean wantsBody(byte type) {
        return type == PgWire.COMMAND_COMPLETE;
    }

    @Override
    public void message(byte type) {
        switch (type) {
            case PgWire.DATA_ROW -> dataRows++;
            case PgWire.COPY_IN_RESPONSE -> copy = Copy.IN;
            case PgWire.COPY_OUT_RESPONSE -> copy = Copy.OUT;
            case PgWire.ERROR_RESPONSE -> endStatement();
            default -> {
                // Everything else is neither a request nor rows.
            }
        }
    }

    @Override
    public void body(byte type, byte[] body, int length) {
        // A tag is NUL-terminated text: "INSERT 0 5", "SELECT 3", "CREATE TABLE".
        int end = 0;
        while (end < length && body[end] != 0) {
            end++;
        }
        commandComplete(new String(body, 0, end, StandardCharsets.US_ASCII));
    }

    void commandComplete(String tag) {
        int lastSpace = tag.lastIndexOf(' ');
        long n = lastSpace < 0 ? -1 : number(tag, lastSpace + 1);
        String command = n < 0 ? tag : tag.substring(0, tag.indexOf(' '));
        if (!NOT_REQUESTS.contains(tag)) {
            requests++;
        }
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
    private static long number(String tag, int from) {
        if (from >= tag.length()) {
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
