package io.stratus.agent.computes;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a stopped (suspended) compute's port bound while its postmaster is down, and answers whoever connects there
 * meanwhile with a Postgres error that says the database is suspended.
 *
 * <p>A compute's port is part of its connection string, so it has to be free when the compute resumes. Nothing listens
 * there while the postmaster is down, and Linux hands out ports of the default compute range to any outgoing
 * connection (its ephemeral range covers it) or to any program that asks: a compute asleep for a day would find its
 * port taken and fail to resume until the port came free. Held by the agent, the port stays the compute's; it is
 * released just before the postmaster starts (a window of milliseconds, against one of hours).
 *
 * <p>A client gets {@code FATAL 57P03 cannot_connect_now} ("the database is suspended") instead of a refused
 * connection, which tells it what happened and that a resume helps; drivers treat 57P03 as retryable. SSL and GSS
 * encryption requests are declined first, as a server without them would, so that the error reaches the client in
 * plain text.
 *
 * <p>One daemon thread per kept port blocks in {@code accept} and answers its clients one after another, each with
 * short timeouts: an error path needs no concurrency, and a suspended compute costs one parked thread.
 */
final class PortKeeper implements AutoCloseable {

    static final String SQLSTATE_CANNOT_CONNECT_NOW = "57P03";
    static final String MESSAGE = "the database is suspended";
    static final String HINT = "Resume it through the Stratus API (POST /v1/databases/{id}/resume), then connect again.";

    private static final Logger log = LoggerFactory.getLogger(PortKeeper.class);
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;
    /** Postgres's own limit on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
    private static final int MAX_STARTUP_PACKET = 10_000;
    private static final int CLIENT_TIMEOUT_MS = 1_000;
    /**
     * How long a release waits for the acceptor to end. Woken from accept() it ends within microseconds; busy answering
     * a client it may take longer, but then the listener was not in use and closed at once, so there is no need to.
     */
    private static final long RELEASE_WAIT_MS = 1_000;

    private final String address;
    private final Map<UUID, Kept> kept = new ConcurrentHashMap<>();

    /** @param address the address the computes listen on ({@code listen_addresses}): one host, or {@code *} */
    PortKeeper(String address) {
        this.address = address;
    }

    /**
     * Binds {@code port} for the compute unless it is held already (a different port held for it is let go first).
     *
     * @return what it did
     * @throws IOException the port cannot be bound (another process holds it)
     */
    synchronized StepResult hold(UUID computeId, int port) throws IOException {
        Kept current = kept.get(computeId);
        if (current != null && current.port() == port && !current.socket().isClosed()) {
            return StepResult.UNCHANGED;
        }
        release(computeId);
        ServerSocket socket = new ServerSocket();
        try {
            // As Postgres binds: through the TIME_WAIT sockets its own closed connections leave behind.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bindAddress(), port), 16);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        Thread acceptor = new Thread(() -> serve(socket), "port-keeper-" + port);
        acceptor.setDaemon(true);
        kept.put(computeId, new Kept(port, socket, acceptor));
        acceptor.start();
        return new StepResult.Created("holding port " + port + " while the compute is stopped");
    }

    /** Lets the compute's port go (before its postmaster binds it); a no-op when nothing is held for it. */
    synchronized boolean release(UUID computeId) {
        Kept k = kept.remove(computeId);
        if (k == null) {
            return false;
        }
        try {
            k.socket().close();
        } catch (IOException e) {
            log.debug("closing kept port {}: {}", k.port(), e.getMessage());
        }
        // A socket closed while a thread is blocked in accept() is let go of only once that thread has woken up: the
        // port is free for the postmaster when the acceptor has ended, not when close() returns.
        try {
            k.acceptor().join(RELEASE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** The port held for the compute, if any. */
    Optional<Integer> heldPort(UUID computeId) {
        return Optional.ofNullable(kept.get(computeId)).map(Kept::port);
    }

    @Override
    public synchronized void close() {
        for (UUID id : Map.copyOf(kept).keySet()) {
            release(id);
        }
    }

    private InetAddress bindAddress() throws UnknownHostException {
        return address.equals("*") ? null : InetAddress.getByName(address);
    }

    private static void serve(ServerSocket socket) {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                answer(client);
            } catch (SocketException e) {
                // Closed by release(), or the client went away mid-answer.
                if (!socket.isClosed()) {
                    log.debug("client of kept port {}: {}", socket.getLocalPort(), e.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                log.debug("client of kept port {}: {}", socket.getLocalPort(), e.getMessage());
            }
        }
    }

    /** Declines encryption, reads the startup packet, answers with the error and waits for the client to hang up. */
    static void answer(Socket client) throws IOException {
        client.setSoTimeout(CLIENT_TIMEOUT_MS);
        DataInputStream in = new DataInputStream(client.getInputStream());
        OutputStream out = client.getOutputStream();
        int code = readPacket(in);
        while (code == SSL_REQUEST || code == GSSENC_REQUEST) {
            out.write('N');
            out.flush();
            code = readPacket(in);
        }
        if (code >> 16 != 3) {
            // A cancel request (nothing runs to cancel) or not a Postgres client: nothing to tell it.
            return;
        }
        out.write(errorResponse());
        out.flush();
        // Let the client close first (a client does after a FATAL), so that the TIME_WAIT lands on its side and not on
        // the compute's port.
        InputStream rest = client.getInputStream();
        byte[] drain = new byte[256];
        int drained = 0;
        for (int n; drained < MAX_STARTUP_PACKET && (n = rest.read(drain)) >= 0; ) {
            // Nothing a client sends after a FATAL matters; one that keeps talking is cut off.
            drained += n;
        }
    }

    /** Reads one startup-phase packet (length, code, body) and returns its code. */
    private static int readPacket(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 8 || length > MAX_STARTUP_PACKET) {
            throw new IOException("not a Postgres startup packet (length " + length + ")");
        }
        int code = in.readInt();
        in.skipNBytes(length - 8);
        return code;
    }

    /** An ErrorResponse message: severity, SQLSTATE, message and hint, as Postgres words a refused connection. */
    static byte[] errorResponse() {
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        field(fields, 'S', "FATAL");
        field(fields, 'V', "FATAL");
        field(fields, 'C', SQLSTATE_CANNOT_CONNECT_NOW);
        field(fields, 'M', MESSAGE);
        field(fields, 'H', HINT);
        fields.write(0);
        byte[] body = fields.toByteArray();
        ByteArrayOutputStream message = new ByteArrayOutputStream(body.length + 5);
        message.write('E');
        int length = body.length + 4;
        message.write(length >>> 24);
        message.write(length >>> 16);
        message.write(length >>> 8);
        message.write(length);
        message.writeBytes(body);
        return message.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, char type, String value) {
        out.write(type);
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private record Kept(int port, ServerSocket socket, Thread acceptor) {
    }
}
