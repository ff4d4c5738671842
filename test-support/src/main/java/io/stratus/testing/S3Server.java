package io.stratus.testing;

import io.stratus.backupstore.BackupStoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: S3Proxy (Maven Central's {@code org.gaul:s3proxy}, jar-with-dependencies)
 * in a JVM of its own on a free loopback port, storing into a temporary directory, with one bucket created.
 *
 * <p>Its own process because its Jetty, jclouds and AWS SDK would clash with Spring Boot's on a test classpath.
 * The jar comes from the local Maven repository: the build passes its path as the system property
 * {@code stratus.s3proxyJar} (the parent POM's surefire and failsafe configuration), and test-support's build
 * fetches it (its {@code s3proxy-jar} execution of the dependency plugin). Outside Maven (an IDE) the newest
 * S3Proxy jar in {@code ~/.m2/repository} is taken.
 *
 * <p>{@link #stop()} makes the store unreachable (connections refused) and {@link #start()} brings it back on the
 * same port with the same objects. {@link #close()} stops it and deletes its data; a shutdown hook kills the
 * process if a test forgets.
 */
public final class S3Server implements AutoCloseable {

    public static final String JAR_PROPERTY = "stratus.s3proxyJar";
    /** A fresh JVM serving S3 takes about a second here; this is for a loaded CI machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String REGION = "us-east-1";

    private final Path jar;
    private final Path home;
    private final int port;
    private final String bucket;
    private final String accessKey = "stratus-test";
    private final String secretKey = "stratus-test-secret-" + UUID.randomUUID();
    private final Thread shutdownHook;
    private Process process;

    /** Starts a server with a bucket named {@code backups}. */
    public S3Server() {
        this("backups");
    }

    /** Starts a server with the given bucket. */
    public S3Server(String bucket) {
        this.bucket = bucket;
        this.jar = locateJar();
        this.port = freeLoopbackPort();
        try {
            this.home = Files.createTempDirectory("stratus-s3proxy-");
            Files.createDirectories(home.resolve("data"));
            Files.writeString(home.resolve("s3proxy.conf"), String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    // On disk, not in memory: objects survive stop() and start(), and large ones cost no heap.
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + home.resolve("data"),
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.shutdownHook = new Thread(this::kill, "s3server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            start();
            createBucket(bucket);
        } catch (RuntimeException e) {
            close(); // no process or directory left behind by a server that never was handed out
            throw e;
        }
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String bucket() {
        return bucket;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Store settings for this server's bucket under prefix (path-style, static credentials). */
    public BackupStoreSettings settings(String prefix) {
        return BackupStoreSettings.s3(bucket, prefix, endpoint(), REGION, accessKey, secretKey, true);
    }

    /** Starts the server (again, after {@link #stop()}) on the same port, and returns once it answers. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path log = home.resolve("s3proxy.log");
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // Small and quick to start: a test server, not a benchmark target.
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.io.tmpdir=" + home,
                "-jar", jar.toString(),
                "--properties", home.resolve("s3proxy.conf").toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Its logback reads these: requests are not worth logging here.
        builder.environment().put("LOG_LEVEL", "warn");
        builder.environment().put("JETTY_LOG_LEVEL", "warn");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start S3Proxy from " + jar, e);
        }
        awaitListening(log);
    }

    /** Stops the server: connections to {@link #endpoint()} are refused until {@link #start()}. Objects are kept. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Whether the server process runs. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Creates another bucket (idempotent). */
    public void createBucket(String name) {
        try (S3Client client = client()) {
            try {
                client.headBucket(b -> b.bucket(name));
            } catch (SdkException absent) {
                client.createBucket(b -> b.bucket(name));
            }
        }
    }

    /** Stops the server and deletes its data. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook runs anyway.
        }
        deleteTree(home);
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint() + ", bucket " + bucket + ", " + home + "]";
    }

    private S3Client client() {
        return S3Client.builder()
                .httpClient(ApacheHttpClient.builder().build())
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    private void awaitListening(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + " on start:\n"
                        + tail(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while S3Proxy started", e);
                }
            }
        }
        kill();
        throw new IllegalStateException("S3Proxy did not listen on port " + port + " within " + START_TIMEOUT + ":\n"
                + tail(log));
    }

    private synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Paths.get(configured);
            if (Files.isRegularFile(path)) {
                return path;
            }
            throw new IllegalStateException("S3Proxy's jar is not at " + path + " (" + JAR_PROPERTY + "): build"
                    + " test-support once with network access (./mvnw -pl test-support -am install) to fetch it");
        }
        Path repository = Paths.get(System.getProperty("maven.repo.local",
                Paths.get(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path versions = repository.resolve("org/gaul/s3proxy");
        try (Stream<Path> candidates = Files.isDirectory(versions) ? Files.walk(versions, 2) : Stream.empty()) {
            return candidates
                    .filter(p -> p.getFileName().toString().endsWith("-jar-with-dependencies.jar"))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new IllegalStateException("no S3Proxy jar: set " + JAR_PROPERTY
                            + " or build test-support with Maven, which fetches it into " + versions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort: it is a temporary directory.
        }
    }
}
