package io.stratus.agent.computes;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * Asks a compute, on its Unix socket as the front door would, whether it lets a role log in to a database: sends a protocol-3
 * StartupMessage and reads the first reply. A SCRAM-SHA-256 challenge means yes (pg_hba.conf admits the role and wants
 * its password); an error means no. No password is sent: the probe hangs up at the challenge, which Postgres treats
 * as a client going away, without logging a failed login.
 */
public final class LoginProbe {

    /** Time-box for connect and reply together: a compute that answers slower than this is not ready. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final int PROTOCOL_3 = 196608;
    private static final int AUTH_OK = 0;
    private static final int AUTH_SASL = 10;
    private static final int MAX_REPLY = 64 * 1024;

    /** The answer, with a reason when it is no. */
    public record Result(boolean acceptingLogins, String detail) {

        static Result yes() {
            return new Result(true, "SCRAM-SHA-256 challenge");
        }

        static Result no(String detail) {
            return new Result(false, detail);
        }
    }

    public Result probe(Path socketFile, String user, String database) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (AFUNIXSocket socket = AFUNIXSocket.newInstance()) {
            socket.connect(AFUNIXSocketAddress.of(socketFile), (int) TIMEOUT.toMillis());
            socket.setSoTimeout(remainingMillis(deadline));
            OutputStream out = socket.getOutputStream();
            out.write(startupMessage(user, database));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte type = in.readByte();
            int length = in.readInt();
            if (length < 4 || length > MAX_REPLY) {
                return Result.no("unexpected reply length " + length);
            }
            byte[] body = new byte[length - 4];
            in.readFully(body);
            return switch (type) {
                case 'R' -> authentication(ByteBuffer.wrap(body));
                case 'E' -> Result.no(errorMessage(body));
                default -> Result.no("unexpected reply '" + (char) type + "'");
            };
        } catch (IOException e) {
            return Result.no("no answer on " + socketFile + ": " + e.getMessage());
        }
    }

    private static Result authentication(ByteBuffer body) {
        int code = body.getInt();
        if (code == AUTH_OK) {
            // hba must never let the owner in without a password.
            return Result.no("logged in without a password");
        }
        if (code != AUTH_SASL) {
            return Result.no("server asked for authentication method " + code + ", not SCRAM");
        }
        List<String> mechanisms = new ArrayList<>();
        for (String m; body.hasRemaining() && !(m = cString(body)).isEmpty(); ) {
            mechanisms.add(m);
        }
        return mechanisms.contains("SCRAM-SHA-256") ? Result.yes()
                : Result.no("server offered SASL mechanisms " + mechanisms + " without SCRAM-SHA-256");
    }

    /** The 'M' field of an ErrorResponse, the human-readable message. */
    private static String errorMessage(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        while (b.hasRemaining()) {
            byte field = b.get();
            if (field == 0) {
                break;
            }
            String value = cString(b);
            if (field == 'M') {
                return value;
            }
        }
        return "error without message";
    }

    static byte[] startupMessage(String user, String database) {
        ByteArrayOutputStream params = new ByteArrayOutputStream();
        for (String s : new String[] {"user", user, "database", database, "application_name", "stratus-probe"}) {
            params.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            params.write(0);
        }
        params.write(0);
        byte[] p = params.toByteArray();
        return ByteBuffer.allocate(8 + p.length).putInt(8 + p.length).putInt(PROTOCOL_3).put(p).array();
    }

    private static String cString(ByteBuffer b) {
        int start = b.position();
        while (b.hasRemaining() && b.get() != 0) {
            // scan to the terminator
        }
        int end = b.position() - (b.position() > start && b.get(b.position() - 1) == 0 ? 1 : 0);
        return new String(b.array(), start, end - start, StandardCharsets.UTF_8);
    }

    private static int remainingMillis(long deadline) {
        return (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    }
}
