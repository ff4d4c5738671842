package io.stratus.backupstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link BackupStore} promises; each implementation's test class runs all of it. */
abstract class BackupStoreContract {

    protected BackupStore store;

    /** A fresh, empty store for one test. */
    protected abstract BackupStore newStore() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void roundTripsAFewMegabytesByteForByte() throws Exception {
        byte[] content = randomBytes(3 * 1024 * 1024 + 17, 1);

        StoredObject stored = store.put("db/1/base/b1/base/16384/1259", new ByteArrayInputStream(content),
                content.length);

        assertThat(stored.key()).isEqualTo("db/1/base/b1/base/16384/1259");
        assertThat(stored.size()).isEqualTo(content.length);
        assertThat(read("db/1/base/b1/base/16384/1259")).isEqualTo(content);
    }

    @Test
    void storesAnEmptyObject() throws Exception {
        store.put("db/1/empty", InputStream.nullInputStream(), 0);

        assertThat(read("db/1/empty")).isEmpty();
        assertThat(store.stat("db/1/empty")).hasValueSatisfying(o -> assertThat(o.size()).isZero());
    }

    @Test
    void storesExactlyLengthBytesOfALongerStream() throws Exception {
        byte[] content = "0123456789".getBytes(StandardCharsets.US_ASCII);

        store.put("k", new ByteArrayInputStream(content), 4);

        assertThat(read("k")).isEqualTo("0123".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void statReportsSizeAndLastModified() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        store.put("wal/000000010000000000000001", new ByteArrayInputStream(new byte[1234]), 1234);

        StoredObject stat = store.stat("wal/000000010000000000000001").orElseThrow();

        assertThat(stat.key()).isEqualTo("wal/000000010000000000000001");
        assertThat(stat.size()).isEqualTo(1234);
        assertThat(stat.lastModified()).isBetween(before, Instant.now().plusSeconds(2));
        assertThat(store.stat("wal/000000010000000000000002")).isEmpty();
        assertThat(store.stat("wal")).isEmpty();
    }

    @Test
    void getOfAMissingKeyFailsAsMissing() {
        assertThatThrownBy(() -> store.get("db/none/base/x"))
                .isInstanceOfSatisfying(BackupStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.MISSING));
    }

    @Test
    void listsByPrefixSortedByKey() throws Exception {
        for (String key : List.of("a/b/2", "ab", "a/c", "a/b/10", "a/b/1", "b/x")) {
            put(key, key);
        }

        assertThat(keys(store.list("a/b/"))).containsExactly("a/b/1", "a/b/10", "a/b/2");
        assertThat(keys(store.list("a/b/1"))).containsExactly("a/b/1", "a/b/10");
        assertThat(keys(store.list("a"))).containsExactly("a/b/1", "a/b/10", "a/b/2", "a/c", "ab");
        assertThat(keys(store.list(""))).containsExactly("a/b/1", "a/b/10", "a/b/2", "a/c", "ab", "b/x");
        assertThat(store.list("nothing/")).isEmpty();
        assertThat(store.list("a/b/2")).singleElement()
                .satisfies(o -> assertThat(o.size()).isEqualTo(5));
    }

    // More than one S3 list page (1000 keys) and more than one DeleteObjects batch (1000 keys).
    @Test
    void listsAndDeletesMoreThanAThousandObjects() throws Exception {
        List<String> keys = IntStream.range(0, 1100).mapToObj(i -> "many/" + String.format("%05d", i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (String key : keys) {
                puts.add(pool.submit(() -> {
                    put(key, "x");
                    return null;
                }));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        put("other", "kept");

        assertThat(keys(store.list("many/"))).isEqualTo(keys);

        List<String> withAbsent = new ArrayList<>(keys);
        withAbsent.add("many/absent");
        store.delete(withAbsent);

        assertThat(store.list("many/")).isEmpty();
        assertThat(keys(store.list(""))).containsExactly("other");
        store.delete(withAbsent); // again: absent keys are fine
        store.delete(List.of());
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        put("x/1", "one");

        store.delete(List.of("x/1", "x/never-there"));
        store.delete(List.of("x/1"));

        assertThat(store.stat("x/1")).isEmpty();
    }

    @Test
    void putOverwrites() throws Exception {
        put("k", "first version, longer");
        put("k", "second");

        assertThat(new String(read("k"), StandardCharsets.UTF_8)).isEqualTo("second");
        assertThat(store.stat("k").orElseThrow().size()).isEqualTo(6);
        assertThat(store.list("")).hasSize(1);
    }

    // Also no half object lingering on the server: a client that kept the aborted upload's connection open would
    // leave S3Proxy's partial file listed until the server's idle timeout.
    @Test
    void aPutWhoseContentFailsMidwayLeavesNoObject() throws Exception {
        assertThatThrownBy(() -> store.put("half", failingAfter(1024 * 1024), 2 * 1024 * 1024))
                .isInstanceOfSatisfying(BackupStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.FAILED));

        assertThat(readOrMissing("half")).isNull();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void aPutWhoseContentFailsMidwayKeepsThePreviousObject() throws Exception {
        put("k", "previous");

        assertThatThrownBy(() -> store.put("k", failingAfter(1024 * 1024), 2 * 1024 * 1024))
                .isInstanceOf(BackupStoreException.class);

        assertThat(new String(read("k"), StandardCharsets.UTF_8)).isEqualTo("previous");
    }

    @Test
    void aPutWhoseContentEndsEarlyFailsAndLeavesNoObject() throws Exception {
        assertThatThrownBy(() -> store.put("short", new ByteArrayInputStream(new byte[10]), 11))
                .isInstanceOfSatisfying(BackupStoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.FAILED));

        assertThat(readOrMissing("short")).isNull();
    }

    @Test
    void keysThatAreNotRelativePathsAreRefused() {
        for (String key : List.of("", "/abs", "../up", "a/../../up", "a//b", "a/./b", "a/", "a\\b")) {
            assertThatThrownBy(() -> store.put(key, InputStream.nullInputStream(), 0))
                    .as(key).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.get(key)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.list("../")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(List.of("ok", "../x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describesItselfWithoutSecrets() {
        assertThat(store.describe()).doesNotContainIgnoringCase("secret");
    }

    protected void put(String key, String content) throws BackupStoreException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        store.put(key, new ByteArrayInputStream(bytes), bytes.length);
    }

    protected byte[] read(String key) throws IOException {
        try (InputStream in = store.get(key)) {
            return in.readAllBytes();
        }
    }

    /** The bytes, or null when the store says MISSING. */
    protected byte[] readOrMissing(String key) {
        try {
            return read(key);
        } catch (BackupStoreException e) {
            assertThat(e.reason()).isEqualTo(BackupStoreException.Reason.MISSING);
            return null;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    protected static List<String> keys(List<StoredObject> objects) {
        return objects.stream().map(StoredObject::key).toList();
    }

    protected static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A stream that gives {@code good} bytes, then fails as a disk or a killed reader would. */
    protected static InputStream failingAfter(int good) {
        return new InputStream() {
            private int given;

            @Override
            public int read() throws IOException {
                if (given >= good) {
                    throw new IOException("simulated read failure after " + good + " bytes");
                }
                given++;
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (given >= good) {
                    throw new IOException("simulated read failure after " + good + " bytes");
                }
                int n = Math.min(len, good - given);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                given += n;
                return n;
            }
        };
    }
}
