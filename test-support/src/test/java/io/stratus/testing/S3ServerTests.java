package io.stratus.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.backupstore.BackupStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class S3ServerTests {

    // What the apps' tests rely on: a bucket ready at once, stop() refusing connections, start() bringing the same
    // objects back on the same port, close() leaving no process behind.
    @Test
    void servesABucketSurvivesAStopAndStartAndLeavesNothingRunningWhenClosed() throws Exception {
        S3Server server = new S3Server("it-bucket");
        try (server; BackupStore store = BackupStores.open(server.settings("p"))) {
            assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
            assertThat(server.settings("p").bucket()).isEqualTo("it-bucket");
            store.put("a/b", new ByteArrayInputStream(new byte[] {7}), 1);

            server.stop();

            assertThat(server.isRunning()).isFalse();
            assertThat(accepts(server)).isFalse();
            assertThatThrownBy(() -> store.list("")).isInstanceOfSatisfying(BackupStoreException.class,
                    e -> assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.UNREACHABLE));

            server.start();

            assertThat(store.get("a/b").readAllBytes()).containsExactly(7);
        }
        assertThat(server.isRunning()).isFalse();
        assertThat(accepts(server)).isFalse();
    }

    private static boolean accepts(S3Server server) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.endpoint().getHost(), server.endpoint().getPort()), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
