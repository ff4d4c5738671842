package io.stratus.backupstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a real S3 server that drops the connection of the next PUTs part-way through
 * their body, as a flaky network or a restarting load balancer would; everything else it passes through.
 */
final class DroppingProxy implements AutoCloseable {

    /** Body bytes let through before a dropped PUT's connection is closed. */
    private static final int BYTES_BEFORE_DROP = 256 * 1024;

    private final ServerSocket listener;
    private final URI upstream;
    private final AtomicInteger putsToDrop = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();

    DroppingProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "dropping-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    void dropNextPuts(int count) {
        putsToDrop.set(count);
    }

    int dropped() {
        return dropped.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread handler = new Thread(() -> handle(client), "dropping-proxy-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream fromClient = client.getInputStream();
            byte[] head = fromClient.readNBytes(4);
            if (new String(head, StandardCharsets.US_ASCII).equals("PUT ")
                    && putsToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                skipHeaders(fromClient);
                // The SDK asks to continue before it sends a PUT's body (and waits 3 s without an answer).
                client.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                fromClient.readNBytes(BYTES_BEFORE_DROP);
                dropped.incrementAndGet();
                client.setSoLinger(true, 0); // a reset, not a polite close
                return;
            }
            try (Socket server = new Socket(upstream.getHost(), upstream.getPort())) {
                server.getOutputStream().write(head);
                Thread back = new Thread(() -> pipe(server, client), "dropping-proxy-back");
                back.setDaemon(true);
                back.start();
                pipe(client, server);
                back.join();
            }
        } catch (IOException | InterruptedException e) {
            // The connection ended; the client sees that.
        }
    }

    private static void skipHeaders(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < end.length && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // already closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
