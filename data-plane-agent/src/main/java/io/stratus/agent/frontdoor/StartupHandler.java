package io.stratus.agent.frontdoor;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.Mapping;
import io.stratus.agent.ComputeConventions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new client connection until its StartupMessage: answers SSLRequest (TLS with the configured certificate, or
 * 'N'), GSSENCRequest ('N'), relays a CancelRequest, and hands the StartupMessage to a {@link ClientSession}, which
 * takes this handler's place.
 */
final class StartupHandler extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(StartupHandler.class);

    private final FrontDoor door;
    private boolean tls;
    private String serverName;

    StartupHandler(FrontDoor door) {
        this.door = door;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 8) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > PgWire.MAX_STARTUP) {
            in.skipBytes(in.readableBytes());
            reject(ctx, PgWire.PROTOCOL_VIOLATION, "invalid length of startup packet");
            return;
        }
        if (in.readableBytes() < length) {
            return;
        }
        ByteBuf packet = in.readSlice(length);
        int code = packet.getInt(4);
        switch (code) {
            case PgWire.SSL_REQUEST -> {
                SslContext ssl = door.sslContext();
                if (tls || in.isReadable()) {
                    // Bytes after the request would be read as if they came over TLS (CVE-2021-23214).
                    in.skipBytes(in.readableBytes());
                    reject(ctx, PgWire.PROTOCOL_VIOLATION, "unexpected data after SSLRequest");
                } else if (ssl != null) {
                    ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('S'));
                    ctx.pipeline().addFirst("tls", new SniHandler((Mapping<String, SslContext>) host -> ssl));
                    tls = true;
                } else {
                    ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
                }
            }
            case PgWire.GSSENC_REQUEST -> ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
            case PgWire.CANCEL_REQUEST -> {
                if (length == 16) {
                    door.cancel(packet.getInt(8), packet.getInt(12));
                }
                // As the postmaster does: no answer either way, so a forged key learns nothing.
                in.skipBytes(in.readableBytes());
                ctx.close();
            }
            default -> startup(ctx, code, packet);
        }
    }

    private void startup(ChannelHandlerContext ctx, int protocol, ByteBuf packet) {
        if (protocol >>> 16 != 3) {
            reject(ctx, PgWire.PROTOCOL_VIOLATION, "unsupported frontend protocol " + (protocol >>> 16) + "."
                    + (protocol & 0xffff) + ": the Stratus front door supports 3.x");
            return;
        }
        if (door.settings().tlsRequired() && !tls) {
            reject(ctx, PgWire.INVALID_AUTHORIZATION, "the Stratus front door accepts TLS connections only:"
                    + " connect with sslmode=require");
            return;
        }
        if (door.draining()) {
            reject(ctx, PgWire.CANNOT_CONNECT_NOW, "the Stratus front door is shutting down");
            return;
        }
        StartupMessage startup = StartupMessage.parse(protocol, packet.skipBytes(8));
        if (startup == null || startup.user().isEmpty()) {
            reject(ctx, PgWire.PROTOCOL_VIOLATION, "invalid startup packet layout or no user name");
            return;
        }
        if (ComputeConventions.SUPERUSER.equals(startup.user())) {
            // Trusted on the compute's socket, which the front door shares with the agent: never let a client be it.
            reject(ctx, PgWire.INVALID_AUTHORIZATION, "role \"" + startup.user() + "\" is reserved for the Stratus"
                    + " agent and cannot log in through the front door");
            return;
        }
        ClientSession session = new ClientSession(door, ctx.channel());
        ctx.channel().config().setAutoRead(false);
        ctx.pipeline().replace(this, "session", session.clientHandler());
        session.start(startup, serverName);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni) {
            serverName = sni.hostname();
        } else if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), done.cause().toString());
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client {} before startup: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static void reject(ChannelHandlerContext ctx, String sqlState, String message) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(PgWire.fatal(ctx.alloc(), sqlState, message)).addListener(ChannelFutureListener.CLOSE);
    }
}
