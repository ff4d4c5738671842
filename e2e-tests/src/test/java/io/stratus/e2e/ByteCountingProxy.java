package io.stratus.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of the front door that counts the bytes its clients receive: what a client got, to set
 * the metered egress against.
 */
final class ByteCountingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final AtomicLong toClients = new AtomicLong();
    private final AtomicLong fromClients = new AtomicLong();

    ByteCountingProxy(String host, int port) throws IOException {
        this.target = new InetSocketAddress(host, port);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "byte-counting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Bytes clients sent so far (their startup packets included). */
    long bytesFromClients() {
        return fromClients.get();
    }

    /** Bytes delivered to clients so far. */
    long bytesToClients() {
        return toClients.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 5000);
                pump(client.getInputStream(), upstream, fromClients);
                pump(upstream.getInputStream(), client, toClients);
            } catch (IOException e) {
                // Closed, or one connection failed: the client sees it.
            }
        }
    }

    private static void pump(InputStream in, Socket out, AtomicLong counter) throws IOException {
        OutputStream os = out.getOutputStream();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    os.write(buf, 0, n);
                    os.flush();
                    if (counter != null) {
                        counter.addAndGet(n);
                    }
                }
            } catch (IOException e) {
                // The other side closed.
            } finally {
                try {
                    out.shutdownOutput();
                } catch (IOException ignored) {
                    // Already closed.
                }
            }
        }, "byte-counting-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
