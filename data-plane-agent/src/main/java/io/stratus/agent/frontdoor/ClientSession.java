package io.stratus.agent.frontdoor;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection after its StartupMessage: routes it ({@link Router}), connects to the compute's socket (or the
 * next front door), and relays bytes both ways. It reads the server's messages only until the first ReadyForQuery,
 * to put its own cancel key in place of the compute's; after that it only follows message boundaries
 * ({@link MessageFramer}). Authentication passes through untouched: the compute checks the password.
 *
 * <p>A compute that turns the connection away as not ready (57P03: shutting down for a suspend that raced the
 * connection, or still starting) before anything was relayed is tried again, woken if need be, until the wake
 * timeout. Everything runs on the client channel's event loop, which the upstream channel shares.
 */
final class ClientSession {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final long RETRY_PAUSE_MILLIS = 50;
    private static final long TERMINATE_WAIT_MILLIS = 2000;

    private final FrontDoor door;
    private final Channel client;
    private final long deadlineNanos;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private MessageFramer framer = new MessageFramer();
    /** Meters the session when it reaches a local compute (the last hop); null otherwise or with metering off. */
    private StatementMeter meter;
    /** Follows the client's messages for the meter (what each server answer answers). */
    private MessageFramer clientFramer;
    private StartupMessage startup;
    private String serverName;
    private Target target;
    private Channel upstream;
    private SocketAddress upstreamAddress;
    private boolean counted;
    /** Counted as a startup in flight ({@link SessionCounts#startupBegun}): a planned restart waits for it. */
    private boolean starting;
    private long cancelKey;
    private boolean keyIssued;
    private boolean relaying;
    private boolean terminating;
    private boolean closed;

    ClientSession(FrontDoor door, Channel client) {
        this.door = door;
        this.client = client;
        this.deadlineNanos = System.nanoTime() + door.settings().wakeTimeout().toNanos();
    }

    ChannelInboundHandlerAdapter clientHandler() {
        return new ClientHandler();
    }

    void start(StartupMessage startup, String serverName) {
        this.startup = startup;
        this.serverName = serverName;
        door.opened(this);
        client.closeFuture().addListener(f -> clientClosed());
        route();
    }

    private void route() {
        door.router().resolve(startup, serverName, deadlineNanos).whenComplete((t, e) -> {
            if (client.eventLoop().inEventLoop()) {
                routed(t, e);
            } else {
                client.eventLoop().execute(() -> routed(t, e));
            }
        });
    }

    private void routed(Target t, Throwable e) {
        if (closed) {
            return;
        }
        if (e != null) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RouteFailure f) {
                fail(f.sqlState(), f.getMessage());
            } else {
                log.warn("cannot route a connection for {}", startup.database(), cause);
                fail(PgWire.CANNOT_CONNECT_NOW, "the Stratus front door could not route the connection; try again");
            }
            return;
        }
        target = t;
        if (t.isLocal()) {
            // Counted as a startup in flight from here, then the compute looked up again: a planned restart withdraws
            // the compute's socket before it reads the count, so either it waits for this startup or this session
            // sees the socket gone and waits for the restart like any new one.
            door.counts().startupBegun(t.databaseId());
            starting = true;
            if (door.localSocket(t.databaseId()).isEmpty() && retryable()) {
                startupOver();
                retrySoon();
                return;
            }
        }
        SocketAddress address = t.isLocal() ? Transport.unixAddress(t.socket()) : t.remote();
        Bootstrap b = new Bootstrap().group(client.eventLoop())
                .channel(t.isLocal() ? Transport.unixChannel() : Transport.tcpChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new BackendHandler());
        if (!t.isLocal()) {
            b.option(ChannelOption.TCP_NODELAY, true);
        }
        Transport.tune(b);
        b.connect(address).addListener((ChannelFuture f) -> connected(f, address));
    }

    private void connected(ChannelFuture f, SocketAddress address) {
        if (!f.isSuccess()) {
            startupOver();
            if (target.isLocal() && retryable()) {
                // The compute stopped between the routing and the connect: route again (and wake it).
                retrySoon();
            } else {
                fail(PgWire.CANNOT_CONNECT_NOW, "cannot reach " + (target.isLocal() ? "the database's compute"
                        : "the node that holds the database") + ": " + f.cause().getMessage());
            }
            return;
        }
        if (closed) {
            f.channel().close();
            return;
        }
        upstream = f.channel();
        upstreamAddress = address;
        if (target.isLocal()) {
            door.counts().opened(target.databaseId());
            counted = true;
            var tally = door.tally();
            if (tally != null) {
                meter = new StatementMeter(tally.of(target.databaseId()));
                framer = new MessageFramer(meter.server());
                clientFramer = new MessageFramer(meter.client());
            }
            sendStartup();
        } else {
            // To another node's front door: TLS if it offers it (it may require it from everyone).
            upstream.writeAndFlush(upstream.alloc().buffer(8).writeInt(8).writeInt(PgWire.SSL_REQUEST));
        }
    }

    private void sendStartup() {
        upstream.write(target.startup().encode(upstream.alloc()));
        while (!pending.isEmpty()) {
            Object msg = pending.poll();
            if (meter != null && msg instanceof ByteBuf b) {
                received(b);
            }
            upstream.write(msg);
        }
        upstream.flush();
        client.config().setAutoRead(true);
    }

    private boolean retryable() {
        return System.nanoTime() - deadlineNanos < 0 && !door.draining();
    }

    private void retrySoon() {
        client.eventLoop().schedule(() -> {
            if (!closed) {
                route();
            }
        }, RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Lets go of the upstream connection without touching the client (it is routed again). */
    private void abandonUpstream() {
        Channel u = upstream;
        upstream = null;
        if (meter != null) {
            meter.flush();
            meter = null;
            framer = new MessageFramer();
            clientFramer = null;
        }
        startupOver();
        if (counted) {
            door.counts().closed(target.databaseId());
            counted = false;
        }
        if (u != null) {
            u.close();
        }
    }

    /** Ends the client's connection with a FATAL error, as the postmaster would. */
    private void fail(String sqlState, String message) {
        client.config().setAutoRead(false);
        client.writeAndFlush(PgWire.fatal(client.alloc(), sqlState, message)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The front door is stopping: end the session between two server messages, with 57P01. */
    void terminate() {
        client.eventLoop().execute(() -> {
            if (closed) {
                return;
            }
            if (!relaying) {
                abandonUpstream();
                fail(PgWire.ADMIN_SHUTDOWN, "terminating connection because the Stratus front door is shutting down");
                return;
            }
            terminating = true;
            if (framer.atBoundary()) {
                endForShutdown();
            } else {
                // A server message is on its way: end after it, or after a while if it never ends.
                client.eventLoop().schedule(this::endForShutdown, TERMINATE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void endForShutdown() {
        if (closed) {
            return;
        }
        if (upstream != null) {
            upstream.config().setAutoRead(false);
            upstream.close();
        }
        if (framer.atBoundary()) {
            fail(PgWire.ADMIN_SHUTDOWN, "terminating connection because the Stratus front door is shutting down");
        } else {
            client.close();
        }
    }

    private void clientClosed() {
        if (closed) {
            return;
        }
        closed = true;
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.poll());
        }
        if (keyIssued) {
            door.cancels().forget(cancelKey);
        }
        if (meter != null) {
            meter.flush();
        }
        Channel u = upstream;
        if (u != null) {
            // What the client sent last is delivered before the compute sees the end of the connection.
            u.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        startupOver();
        if (counted) {
            door.counts().closed(target.databaseId());
            counted = false;
        }
        door.closed(this);
    }

    private void startupOver() {
        if (starting) {
            starting = false;
            door.counts().startupEnded(target.databaseId());
        }
    }

    /** Meters what the client sent (before it goes upstream, so a question is queued before its answer comes). */
    private void received(ByteBuf b) {
        meter.received(b.readableBytes());
        clientFramer.advance(b);
    }

    /** Client to compute. */
    private final class ClientHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel u = upstream;
            if (closed) {
                ReferenceCountUtil.release(msg);
            } else if (u == null) {
                pending.add(msg);
            } else {
                if (meter != null) {
                    received((ByteBuf) msg);
                }
                u.write(msg, u.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Channel u = upstream;
            if (u != null) {
                u.flush();
            }
            if (meter != null) {
                meter.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel u = upstream;
            if (u != null) {
                // A slow client: stop reading from the compute until it catches up.
                u.config().setAutoRead(ctx.channel().isWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("client {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /** Compute (or next front door) to client. */
    private final class BackendHandler extends ChannelInboundHandlerAdapter {

        private boolean startupPhase = true;
        private boolean relayedAny;
        private boolean awaitingSslAnswer;
        private ByteBuf startupBytes;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            awaitingSslAnswer = !target.isLocal();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (ctx.channel() != upstream || closed) {
                buf.release();
                return;
            }
            if (awaitingSslAnswer) {
                awaitingSslAnswer = false;
                byte answer = buf.readByte();
                buf.release();
                if (answer == 'S') {
                    SslHandler tls = door.relayTls().newHandler(ctx.alloc());
                    ctx.pipeline().addFirst("tls", tls);
                    tls.handshakeFuture().addListener(done -> {
                        if (done.isSuccess()) {
                            sendStartup();
                        } else {
                            fail(PgWire.CONNECTION_FAILURE, "TLS with the node that holds the database failed: "
                                    + done.cause().getMessage());
                        }
                    });
                } else {
                    sendStartup();
                }
                return;
            }
            if (startupPhase) {
                readStartup(ctx, buf);
            } else {
                relay(buf);
            }
        }

        private void relay(ByteBuf buf) {
            if (!terminating) {
                framer.advance(buf);
                sent(buf.readableBytes());
                client.write(buf, client.voidPromise());
                return;
            }
            int upToBoundary = framer.advanceToBoundary(buf);
            if (upToBoundary < 0) {
                sent(buf.readableBytes());
                client.write(buf, client.voidPromise());
            } else {
                sent(upToBoundary);
                client.write(buf.retainedSlice(buf.readerIndex(), upToBoundary), client.voidPromise());
                buf.release();
                endForShutdown();
            }
        }

        /** Egress: everything the client is sent, the start-up's messages too. */
        private void sent(int bytes) {
            if (meter != null) {
                meter.sent(bytes);
            }
        }

        /**
         * Until the first ReadyForQuery: whole messages, so that BackendKeyData can be swapped for the front door's
         * own key and a not-ready compute retried.
         */
        private void readStartup(ChannelHandlerContext ctx, ByteBuf buf) {
            if (startupBytes == null) {
                startupBytes = buf;
            } else {
                ByteBuf joined = ctx.alloc().buffer(startupBytes.readableBytes() + buf.readableBytes());
                joined.writeBytes(startupBytes).writeBytes(buf);
                startupBytes.release();
                buf.release();
                startupBytes = joined;
            }
            ByteBuf in = startupBytes;
            while (startupPhase && in.readableBytes() >= 5) {
                int at = in.readerIndex();
                byte type = in.getByte(at);
                int length = in.getInt(at + 1);
                if (length < 4) {
                    log.warn("invalid message from {}: length {}", upstreamAddress, length);
                    ctx.close();
                    return;
                }
                if (in.readableBytes() < 1 + length) {
                    break;
                }
                if (type == PgWire.BACKEND_KEY_DATA && length >= 12) {
                    byte[] secret = new byte[length - 8];
                    in.getBytes(at + 9, secret);
                    int pid = in.getInt(at + 5);
                    in.skipBytes(1 + length);
                    cancelKey = door.cancels().issue(new CancelKeys.Upstream(upstreamAddress, pid, secret));
                    keyIssued = true;
                    ByteBuf key = PgWire.backendKeyData(client.alloc(), (int) (cancelKey >>> 32), (int) cancelKey);
                    sent(key.readableBytes());
                    client.write(key, client.voidPromise());
                    relayedAny = true;
                    continue;
                }
                if (type == PgWire.ERROR_RESPONSE && !relayedAny && retryable()
                        && PgWire.CANNOT_CONNECT_NOW.equals(PgWire.sqlState(in.slice(at + 5, length - 4)))) {
                    log.debug("{} is not ready for connections yet; routing again", target);
                    startupBytes.release();
                    startupBytes = null;
                    abandonUpstream();
                    retrySoon();
                    return;
                }
                sent(1 + length);
                client.write(in.readRetainedSlice(1 + length), client.voidPromise());
                relayedAny = true;
                if (type == PgWire.READY_FOR_QUERY) {
                    startupPhase = false;
                    relaying = true;
                    startupOver();
                }
            }
            if (!startupPhase) {
                startupBytes = null;
                if (in.isReadable()) {
                    relay(in);
                } else {
                    in.release();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (ctx.channel() == upstream) {
                client.flush();
                if (meter != null) {
                    meter.flush();
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel() == upstream) {
                client.config().setAutoRead(ctx.channel().isWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (startupBytes != null) {
                startupBytes.release();
                startupBytes = null;
            }
            if (ctx.channel() == upstream && !closed && !relayedAny && target != null && target.isLocal()
                    && retryable()) {
                // Closed before a byte reached the client: a postmaster stopping (a planned restart, a suspend) between
                // accepting the connection and answering it. The client saw nothing yet: route it again.
                log.debug("{} closed the connection before answering it; routing again", target);
                abandonUpstream();
                retrySoon();
                return;
            }
            if (ctx.channel() == upstream && !closed) {
                // The compute ended the session (an error it sent, a terminate, a crash): so does the client.
                client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("upstream {}: {}", upstreamAddress, cause.toString());
            ctx.close();
        }
    }
}
