package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.postgres.PostgresCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

class PortKeeperTests {

    private final PortKeeper keeper = new PortKeeper("127.0.0.1");
    private final UUID compute = UUID.randomUUID();

    @AfterEach
    void tearDown() {
        keeper.close();
    }

    /** With sslmode=prefer a driver asks for SSL first; declined, it goes on in plain text and gets the error. */
    @ParameterizedTest
    @ValueSource(strings = {"prefer", "disable"})
    void aClientOfAStoppedComputeIsToldItIsSuspendedWithSqlstate57P03(String sslmode) throws Exception {
        int port = PostgresCluster.freePort();
        keeper.hold(compute, port);

        assertThatThrownBy(() -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/app?sslmode=" + sslmode + "&connectTimeout=5", "app_owner", "pw"))
                .isInstanceOfSatisfying(PSQLException.class, e -> {
                    assertThat(e.getSQLState()).isEqualTo("57P03");
                    ServerErrorMessage server = e.getServerErrorMessage();
                    assertThat(server).as("the server's own error, not a driver's connection failure").isNotNull();
                    assertThat(server.getSeverity()).isEqualTo("FATAL");
                    assertThat(server.getMessage()).isEqualTo("the database is suspended");
                    assertThat(server.getHint()).contains("/resume");
                });
    }

    @Test
    void noOtherProcessCanBindAKeptPortAndItIsFreeTheMomentItIsReleased() throws Exception {
        int port = PostgresCluster.freePort();
        assertThat(keeper.hold(compute, port).acted()).isTrue();
        assertThat(keeper.hold(compute, port).acted()).as("holding again is a no-op").isFalse();
        assertThat(keeper.heldPort(compute)).contains(port);
        assertThatThrownBy(() -> listen(port)).isInstanceOf(BindException.class);
        answeredClient(port);

        assertThat(keeper.release(compute)).isTrue();

        // As the postmaster binds, right after an answered client: nothing of the keeper's is left in its way.
        try (ServerSocket postmaster = listen(port)) {
            assertThat(postmaster.getLocalPort()).isEqualTo(port);
        }
        assertThat(keeper.heldPort(compute)).isEmpty();
        assertThat(keeper.release(compute)).isFalse();
    }

    @Test
    void aPortAnotherProcessHoldsIsReportedNotTakenOver() throws Exception {
        try (ServerSocket other = listen(0)) {
            assertThatThrownBy(() -> keeper.hold(compute, other.getLocalPort())).isInstanceOf(BindException.class);
            assertThat(keeper.heldPort(compute)).isEmpty();
        }
    }

    @Test
    void aClientThatIsNotPostgresDoesNotStopTheKeeperAnsweringTheNext() throws Exception {
        int port = PostgresCluster.freePort();
        keeper.hold(compute, port);
        try (Socket garbage = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = garbage.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(garbage.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
        }
        answeredClient(port);
    }

    @Test
    void holdingAnotherPortForTheSameComputeLetsTheFirstGo() throws Exception {
        int first = PostgresCluster.freePort();
        keeper.hold(compute, first);
        int second = PostgresCluster.freePort();
        keeper.hold(compute, second);

        assertThat(keeper.heldPort(compute)).contains(second);
        try (ServerSocket s = listen(first)) {
            assertThat(s.getLocalPort()).isEqualTo(first);
        }
    }

    private static void answeredClient(int port) {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/app", "u", "p"))
                .isInstanceOf(SQLException.class)
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57P03");
    }

    /** Binds as Postgres does: SO_REUSEADDR on, loopback. */
    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
