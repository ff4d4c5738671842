package io.stratus.agent.frontdoor;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.metering.WireTally;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The Postgres front door of this node (ADR 0008): one TCP address for every database, routed by the endpoint in the
 * database name (or the TLS server name), relayed to the compute's Unix socket here or to the front door of the node
 * that holds it. Computes listen on no TCP port; clients reach them only through here.
 *
 * <p>Started after the reconciler has adopted the computes on disk, so a restarted agent serves again at once; on
 * stop it turns new clients away with 57P03, lets open sessions finish for the shutdown grace, then ends each with
 * 57P01 between two server messages.
 */
@Component
public class FrontDoor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FrontDoor.class);
    /** Threads for the calls to the control plane and the waits for waking computes (blocking, so not on Netty's). */
    private static final int MAX_ROUTING_THREADS = 256;

    private final FrontDoorSettings settings;
    private final String bindAddress;
    private final Routes routes;
    private final LocalComputes local;
    private final SessionCounts counts;
    private final WireTally tally;
    private final CancelKeys cancels = new CancelKeys();
    private final Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile SslContext sslContext;
    private volatile SslContext relayTls;
    private volatile Router router;
    private volatile boolean draining;
    private volatile boolean running;
    private EventLoopGroup group;
    private ExecutorService routing;
    private Channel server;

    public FrontDoor(AgentSettings agent, Routes routes, LocalComputes local, SessionCounts counts, WireTally tally) {
        this.tally = tally;
        this.settings = agent.frontDoor();
        this.bindAddress = settings.bindAddress() != null ? settings.bindAddress() : agent.address();
        this.routes = routes;
        this.local = local;
        this.counts = counts;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        draining = false;
        sslContext = settings.tls() ? sslContext(settings) : null;
        relayTls = clientTls();
        routing = new ThreadPoolExecutor(0, MAX_ROUTING_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new DefaultThreadFactory("front-door-routing", true));
        router = new Router(routes, local, routing, settings.wakeTimeout(), settings.serverNameSuffix());
        group = new MultiThreadIoEventLoopGroup(settings.eventLoops(), new DefaultThreadFactory("front-door", true),
                Transport.ioHandlerFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("startup", new StartupHandler(FrontDoor.this));
                    }
                });
        Transport.tuneChildren(b);
        try {
            server = b.bind(new InetSocketAddress(bindAddress, settings.port())).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the front door", e);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            routing.shutdownNow();
            throw new IllegalStateException("the front door cannot listen on " + bindAddress + ":" + settings.port()
                    + " (set stratus.agent.front-door.port): " + e.getMessage(), e);
        }
        running = true;
        log.info("front door listening on {} ({}, TLS {})", server.localAddress(), Transport.name(),
                sslContext == null ? "off" : settings.tlsRequired() ? "required" : "offered");
    }

    @Override
    public void stop() {
        synchronized (this) {
            if (!running) {
                return;
            }
            draining = true;
        }
        long graceEnd = System.nanoTime() + settings.shutdownGrace().toNanos();
        if (!sessions.isEmpty()) {
            log.info("front door stopping: {} session(s) open, waiting up to {} for them", sessions.size(),
                    settings.shutdownGrace());
        }
        while (!sessions.isEmpty() && System.nanoTime() - graceEnd < 0) {
            sleep(50);
        }
        if (!sessions.isEmpty()) {
            log.info("front door ending {} session(s)", sessions.size());
            sessions.forEach(ClientSession::terminate);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (!sessions.isEmpty() && System.nanoTime() - end < 0) {
                sleep(20);
            }
        }
        synchronized (this) {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            routing.shutdownNow();
            running = false;
        }
        log.info("front door stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the reconciler (which adopts the computes it routes to) has started; stopped before it. */
    @Override
    public int getPhase() {
        // Stops before the usage meter (PHASE + 260) takes its last reading, so that the sessions it ends are in it.
        return ComputeReconciler.PHASE + 300;
    }

    /** Where the front door listens (the port actually bound when configured as 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Open client sessions, all databases together. */
    public int openSessions() {
        return sessions.size();
    }

    /** Relays a client's CancelRequest to where its session goes, if the key is one this front door gave. */
    void cancel(int pid, int secret) {
        cancels.find(pid, secret).ifPresentOrElse(up -> {
            Bootstrap b = new Bootstrap().group(group)
                    .channel(up.address() instanceof InetSocketAddress ? Transport.tcpChannel() : Transport.unixChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // Nothing is ever read: the server closes a cancel connection without a word.
                        }
                    });
            b.connect(up.address()).addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    f.channel().writeAndFlush(PgWire.cancelRequest(f.channel().alloc(), up.pid(), up.secret()))
                            .addListener(ChannelFutureListener.CLOSE);
                    log.info("relayed a cancel request to {}", up.address());
                } else {
                    log.warn("cannot relay a cancel request to {}: {}", up.address(), f.cause().toString());
                }
            });
        }, () -> log.info("cancel request with an unknown key ignored"));
    }

    FrontDoorSettings settings() {
        return settings;
    }

    SslContext sslContext() {
        return sslContext;
    }

    /**
     * TLS towards other nodes' front doors. Their certificates are not checked: the hop stays inside the cluster's
     * network, and TLS here is for front doors that require it of every client (ADR 0013).
     */
    SslContext relayTls() {
        return relayTls;
    }

    Router router() {
        return router;
    }

    CancelKeys cancels() {
        return cancels;
    }

    /** The compute's socket while it takes connections here (not while it is stopped or in a planned restart). */
    java.util.Optional<java.nio.file.Path> localSocket(java.util.UUID computeId) {
        return local.socketOf(computeId);
    }

    SessionCounts counts() {
        return counts;
    }

    /** Where sessions to local computes add what they meter; null when metering is off. */
    WireTally tally() {
        return settings.metering() ? tally : null;
    }

    boolean draining() {
        return draining;
    }

    void opened(ClientSession session) {
        sessions.add(session);
    }

    void closed(ClientSession session) {
        sessions.remove(session);
    }

    private static SslContext sslContext(FrontDoorSettings s) {
        try {
            return SslContextBuilder.forServer(s.tlsCertificate().toFile(), s.tlsKey().toFile()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot load the front door's TLS certificate " + s.tlsCertificate()
                    + " and key " + s.tlsKey() + ": " + e.getMessage(), e);
        }
    }

    private static SslContext clientTls() {
        try {
            return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for relays: " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
