package io.stratus.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The contract against a real S3-compatible server (S3Proxy in its own JVM), plus what only S3 has. */
class S3BackupStoreTests extends BackupStoreContract {

    /** The store must give up on an unreachable server within this, not retry for minutes. */
    private static final Duration UNREACHABLE_WITHIN = Duration.ofSeconds(30);

    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = new S3Server();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Each test its own prefix on the shared bucket: the prefix isolates them. */
    @Override
    protected BackupStore newStore() {
        return BackupStores.open(server.settings("test-" + UUID.randomUUID()));
    }

    @Test
    void aPrefixInTheSettingsIsolatesTwoStoresOnOneBucket() throws Exception {
        try (BackupStore a = BackupStores.open(server.settings("isolation/a"));
             BackupStore b = BackupStores.open(server.settings("/isolation/b/"));
             BackupStore whole = BackupStores.open(server.settings(""))) {
            a.put("db/1", new ByteArrayInputStream("from a".getBytes()), 6);
            b.put("db/1", new ByteArrayInputStream("from b!".getBytes()), 7);

            assertThat(keys(a.list(""))).containsExactly("db/1");
            assertThat(a.stat("db/1").orElseThrow().size()).isEqualTo(6);
            assertThat(b.stat("db/1").orElseThrow().size()).isEqualTo(7);
            assertThat(keys(whole.list("isolation/"))).containsExactly("isolation/a/db/1", "isolation/b/db/1");

            a.delete(List.of("db/1"));

            assertThat(a.list("")).isEmpty();
            assertThat(b.get("db/1").readAllBytes()).isEqualTo("from b!".getBytes());
            assertThat(a.describe()).isEqualTo("s3://" + server.bucket() + "/isolation/a");
            assertThat(b.describe()).isEqualTo("s3://" + server.bucket() + "/isolation/b");
        }
    }

    // A stopped server refuses connections: every call fails as UNREACHABLE, quickly, and the store works again
    // once the server is back (same port, same objects).
    @Test
    void aStoppedServerFailsCallsAsUnreachableWithinThirtySeconds() throws Exception {
        try (S3Server own = new S3Server("own");
             BackupStore onOwn = BackupStores.open(own.settings("p"))) {
            onOwn.put("kept", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3);
            own.stop();

            assertUnreachableQuickly(() -> onOwn.put("k", new ByteArrayInputStream(new byte[10]), 10));
            assertUnreachableQuickly(() -> onOwn.list(""));
            assertUnreachableQuickly(() -> onOwn.get("kept"));
            assertUnreachableQuickly(() -> onOwn.stat("kept"));
            assertUnreachableQuickly(() -> onOwn.delete(List.of("kept")));

            own.start();

            assertThat(onOwn.get("kept").readAllBytes()).containsExactly(1, 2, 3);
            onOwn.put("k", new ByteArrayInputStream(new byte[10]), 10);
            assertThat(keys(onOwn.list(""))).containsExactly("k", "kept");
        }
    }

    // The SDK retries a PUT whose connection dropped; the caller's stream can be read only once, so the store keeps
    // small objects' bytes to send again, and a large object's put fails (the caller retries it) instead of
    // sending the wrong bytes.
    @Test
    void aPutRetriedAfterADroppedConnectionStoresTheWholeObject() throws Exception {
        try (DroppingProxy proxy = new DroppingProxy(server.endpoint());
             BackupStore throughProxy = BackupStores.open(viaProxy(proxy, "dropped"))) {
            byte[] small = randomBytes(1024 * 1024, 2);
            proxy.dropNextPuts(1);

            throughProxy.put("small", new ByteArrayInputStream(small), small.length);

            assertThat(proxy.dropped()).isEqualTo(1);
            assertThat(throughProxy.get("small").readAllBytes()).isEqualTo(small);

        }
        // A new store: the proxy only sees the start of a connection, and the first store's is kept alive.
        try (DroppingProxy proxy = new DroppingProxy(server.endpoint());
             BackupStore throughProxy = BackupStores.open(viaProxy(proxy, "dropped"))) {
            byte[] large = randomBytes(S3BackupStore.REPLAYABLE_LENGTH + 1, 3);
            proxy.dropNextPuts(1);

            assertThatThrownBy(() -> throughProxy.put("large", new ByteArrayInputStream(large), large.length))
                    .isInstanceOfSatisfying(BackupStoreException.class, e -> {
                        assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.FAILED);
                        assertThat(e.getMessage()).contains("not kept for a retry");
                    });
            assertThat(proxy.dropped()).isEqualTo(1);
            assertThat(throughProxy.stat("large")).isEmpty();
        }
    }

    private static BackupStoreSettings viaProxy(DroppingProxy proxy, String prefix) {
        BackupStoreSettings direct = server.settings(prefix);
        return new BackupStoreSettings(direct.type(), null, direct.bucket(), direct.prefix(), proxy.endpoint(),
                direct.region(), direct.accessKey(), direct.secretKey(), true);
    }

    @Test
    void wrongCredentialsAreDenied() {
        BackupStoreSettings right = server.settings("denied");
        BackupStoreSettings wrong = new BackupStoreSettings(right.type(), null, right.bucket(), right.prefix(),
                right.endpoint(), right.region(), right.accessKey(), "not-the-secret", true);
        try (BackupStore denied = BackupStores.open(wrong)) {
            assertDenied(() -> denied.put("k", new ByteArrayInputStream(new byte[1]), 1));
            assertDenied(() -> denied.list(""));
            assertDenied(() -> denied.get("k"));
            assertDenied(() -> denied.delete(List.of("k")));
        }
    }

    @Test
    void aMissingBucketFailsWithoutPassingForAMissingObject() {
        BackupStoreSettings right = server.settings("");
        BackupStoreSettings noBucket = new BackupStoreSettings(right.type(), null, "no-such-bucket", "",
                right.endpoint(), right.region(), right.accessKey(), right.secretKey(), true);
        try (BackupStore missing = BackupStores.open(noBucket)) {
            assertThatThrownBy(() -> missing.get("k"))
                    .isInstanceOfSatisfying(BackupStoreException.class,
                            e -> assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.FAILED));
            assertThatThrownBy(() -> missing.list(""))
                    .isInstanceOfSatisfying(BackupStoreException.class,
                            e -> assertThat(e.getMessage()).contains("NoSuchBucket"));
        }
    }

    private static void assertUnreachableQuickly(ThrowingCallable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call).isInstanceOfSatisfying(BackupStoreException.class, e -> {
            assertThat(e.reason()).as(e.toString()).isEqualTo(BackupStoreException.Reason.UNREACHABLE);
            assertThat(e.getMessage()).as("names the endpoint it could not reach").contains(" at http://127.0.0.1:");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(UNREACHABLE_WITHIN);
    }

    private static void assertDenied(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BackupStoreException.class,
                e -> assertThat(e.reason()).as(e.toString()).isEqualTo(BackupStoreException.Reason.DENIED));
    }
}
