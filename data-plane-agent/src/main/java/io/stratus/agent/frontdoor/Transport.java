package io.stratus.agent.frontdoor;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Netty's native epoll transport where it loads (Linux x86-64), else the JDK's NIO: the same channels either way. */
final class Transport {

    static final boolean EPOLL = Epoll.isAvailable();

    private Transport() {
    }

    static IoHandlerFactory ioHandlerFactory() {
        return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends Channel> tcpChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    static Class<? extends Channel> unixChannel() {
        return EPOLL ? EpollDomainSocketChannel.class : NioDomainSocketChannel.class;
    }

    static SocketAddress unixAddress(Path socket) {
        return EPOLL ? new DomainSocketAddress(socket.toString()) : UnixDomainSocketAddress.of(socket);
    }

    /**
     * Level-triggered epoll for relayed channels: a statement's few hundred bytes arrive in one read, and edge
     * triggering would read again until EAGAIN every time, one more system call per message.
     */
    static void tune(io.netty.bootstrap.Bootstrap b) {
        if (EPOLL) {
            b.option(io.netty.channel.epoll.EpollChannelOption.EPOLL_MODE, io.netty.channel.epoll.EpollMode.LEVEL_TRIGGERED);
        }
    }

    static void tuneChildren(io.netty.bootstrap.ServerBootstrap b) {
        if (EPOLL) {
            b.childOption(io.netty.channel.epoll.EpollChannelOption.EPOLL_MODE,
                    io.netty.channel.epoll.EpollMode.LEVEL_TRIGGERED);
        }
    }

    static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
