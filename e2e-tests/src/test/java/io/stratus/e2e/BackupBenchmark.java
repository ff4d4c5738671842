package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.postgres.LocalPostgres;
import io.stratus.postgres.MavenReleaseResolver;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.ProcessRunner;
import io.stratus.postgres.ReleaseLocator;
import io.stratus.testing.ApiClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Backups against raw Postgres tools on the same machine in the same run, on a pgbench database of about 1 GB
 * ({@code bench.scale}, default 68): a base backup through the API vs {@code tar} (and a sync) of the same data
 * directory; a restore through the API vs initdb + start + the same {@code pgbench -i}; and the rate a point-in-time
 * restore replays WAL written by {@code pgbench} after the backup. Filesystem store on the same disk.
 */
class BackupBenchmark {

    private static final int SCALE = Integer.getInteger("bench.scale", 68);
    private static final int WRITE_SECONDS = Integer.getInteger("bench.writeSeconds", 30);

    @Test
    void backupAndRestoreVersusRawPostgres() throws Exception {
        Path store = Files.createTempDirectory("stratus-bench-backups");
        StringBuilder report = new StringBuilder();
        // The agent as deployed (the optimising compiler: SHA-256 and the copy loops are its hot paths).
        try (StratusProcesses stratus = new StratusProcesses().withAgentFullyCompiled()
                .withControlPlaneEnv("STRATUS_BACKUPS_STORE_TYPE", "filesystem")
                .withControlPlaneEnv("STRATUS_BACKUPS_STORE_DIRECTORY", store.toString())
                .withAgentEnv("STRATUS_BACKUPS_STORE_TYPE", "filesystem")
                .withAgentEnv("STRATUS_BACKUPS_STORE_DIRECTORY", store.toString())) {
            stratus.start();
            ApiClient api = stratus.api();
            E2e.Tenant tenant = E2e.newTenant(api);
            var created = api.post(tenant.adminKey(), "/v1/databases",
                    ApiClient.json("name", "bench", "minCu", 2, "maxCu", 2));
            assertThat(created.status()).as(created.raw()).isEqualTo(202);
            E2e.CreatedDatabase db = new E2e.CreatedDatabase(created.at("/database/id").asString(),
                    created.at("/operation/id").asString(), created.at("/connection/uri").asString(), null);
            assertThat(E2e.awaitOperation(api, tenant, db.operationId(), Duration.ofSeconds(120))).isEqualTo("SUCCEEDED");
            URI uri = URI.create(db.uri());
            long loadStart = System.nanoTime();
            Pgbench.run(uri, "-i", "-q", "-s", String.valueOf(SCALE));
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            Path pgdata = stratus.agentDataDir().resolve("computes").resolve(db.id()).resolve("pgdata");
            // The load's WAL (about as much as its data) is archived and shipped first: in steady state archiving
            // keeps up with the writes; here it would compete with both copies for the disk.
            long archiveStart = System.nanoTime();
            awaitArchived(pgdata, stratus.agentDataDir().resolve("computes").resolve(db.id()).resolve("wal-spool"));
            double archiveSeconds = (System.nanoTime() - archiveStart) / 1e9;
            // Both copies start from data on disk: the backup's checkpoint would otherwise pay to flush what the load
            // left in the page cache, which tar never does.
            ProcessRunner.runOrThrow(List.of("sync"), Duration.ofMinutes(5));

            // Raw: tar of the same data directory to the same disk, then flushed (the store fsyncs each file).
            Path tar = store.resolve("raw.tar");
            long t0 = System.nanoTime();
            ProcessRunner.runOrThrow(List.of("tar", "-cf", tar.toString(), "-C", pgdata.toString(), "."),
                    Duration.ofMinutes(10));
            ProcessRunner.runOrThrow(List.of("sync", tar.toString()), Duration.ofMinutes(5));
            double tarSeconds = (System.nanoTime() - t0) / 1e9;
            long tarBytes = Files.size(tar);
            Files.delete(tar);

            t0 = System.nanoTime();
            var backup = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/backups", null);
            assertThat(E2e.awaitOperation(api, tenant, backup.at("/operation/id").asString(), Duration.ofMinutes(20)))
                    .isEqualTo("SUCCEEDED");
            double backupSeconds = (System.nanoTime() - t0) / 1e9;
            var done = api.get(tenant.adminKey(), "/v1/backups/" + backup.at("/backup/id").asString()).json();
            long backupBytes = done.get("sizeBytes").asLong();
            double agentSeconds = java.time.Duration.between(Instant.parse(done.get("startedAt").asString()),
                    Instant.parse(done.get("finishedAt").asString())).toMillis() / 1e3;

            // Raw restore: initdb, start and the same pgbench -i.
            double rawRestoreSeconds = rawLoad();

            t0 = System.nanoTime();
            var restored = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/restore",
                    ApiClient.json("backupId", done.get("id").asString(), "newDatabaseName", "bench_copy"));
            assertThat(restored.status()).as(restored.raw()).isEqualTo(202);
            assertThat(E2e.awaitOperation(api, tenant, restored.at("/operation/id").asString(), Duration.ofMinutes(20)))
                    .isEqualTo("SUCCEEDED");
            double restoreSeconds = (System.nanoTime() - t0) / 1e9;

            // WAL written after the backup, then a point-in-time restore to after it.
            String lsnBefore = single(db.uri(), "SELECT pg_current_wal_lsn()::text");
            Pgbench.run(uri, "-T", String.valueOf(WRITE_SECONDS), "-c", "4", "-j", "2", "-M", "prepared");
            String lsnAfter = single(db.uri(), "SELECT pg_current_wal_lsn()::text");
            long walBytes = Long.parseLong(single(db.uri(), "SELECT pg_wal_lsn_diff('" + lsnAfter + "', '" + lsnBefore
                    + "')::bigint::text"));
            Instant target = Instant.now();
            Thread.sleep(6000);
            // A second backup switches and archives the last segment; the point in time stays before it.
            var second = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/backups", null);
            assertThat(E2e.awaitOperation(api, tenant, second.at("/operation/id").asString(), Duration.ofMinutes(20)))
                    .isEqualTo("SUCCEEDED");
            t0 = System.nanoTime();
            var pitr = api.post(tenant.adminKey(), "/v1/databases/" + db.id() + "/restore",
                    ApiClient.json("pointInTime", target.toString(), "newDatabaseName", "bench_pitr"));
            assertThat(pitr.status()).as(pitr.raw()).isEqualTo(202);
            assertThat(E2e.awaitOperation(api, tenant, pitr.at("/operation/id").asString(), Duration.ofMinutes(30)))
                    .isEqualTo("SUCCEEDED");
            double pitrSeconds = (System.nanoTime() - t0) / 1e9;
            double replaySeconds = Math.max(0.001, pitrSeconds - restoreSeconds);

            report.append(String.format("backups: pgbench scale %d (%.0f MB data directory, loaded in %.1f s)%n",
                    SCALE, tarBytes / 1e6, loadSeconds));
            report.append(String.format("  (the load's WAL archived and shipped %.1f s after it)%n", archiveSeconds));
            report.append(String.format("  raw tar + sync            %7.1f s  %7.1f MB/s%n", tarSeconds, tarBytes / 1e6 / tarSeconds));
            report.append(String.format("  stratus backup (API)      %7.1f s  %7.1f MB/s  (%.0f MB stored)%n", backupSeconds,
                    backupBytes / 1e6 / backupSeconds, backupBytes / 1e6));
            report.append(String.format("  throughput ratio stratus/raw   %5.2f x  (target >= 0.7); on the agent alone"
                    + " (task start to end, %.1f s) %.2f x%n", (backupBytes / backupSeconds) / (tarBytes / tarSeconds),
                    agentSeconds, (backupBytes / agentSeconds) / (tarBytes / tarSeconds)));
            report.append(String.format("  raw initdb + start + pgbench -i %5.1f s%n", rawRestoreSeconds));
            report.append(String.format("  stratus restore (API)     %7.1f s  ratio stratus/raw %.2f x%n", restoreSeconds,
                    restoreSeconds / rawRestoreSeconds));
            report.append(String.format("  point-in-time restore     %7.1f s  after %.0f MB of WAL from %d s of pgbench:"
                    + " replay (beyond the plain restore) %.1f s, %.1f MB/s%n", pitrSeconds, walBytes / 1e6,
                    WRITE_SECONDS, replaySeconds, walBytes / 1e6 / replaySeconds));
        } finally {
            PostgresCluster.deleteRecursively(store);
        }
        System.out.print(report);
        Files.writeString(Path.of("target", "bench-results.txt"), report.toString(), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Until no WAL segment waits for the archiver (no .ready file) nor in the agent's spool. */
    private static void awaitArchived(Path pgdata, Path spool) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            boolean ready;
            try (var files = Files.list(pgdata.resolve("pg_wal").resolve("archive_status"))) {
                ready = files.anyMatch(f -> f.getFileName().toString().endsWith(".ready"));
            }
            boolean spooled;
            try (var files = Files.list(spool)) {
                spooled = files.findAny().isPresent();
            }
            if (!ready && !spooled) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the load's WAL was not archived within 10 minutes");
    }

    private static double rawLoad() throws Exception {
        Path releases = Path.of("/tmp", "stratus-releases");
        PostgresRelease release = new ReleaseLocator(List.of(), releases).defaultRelease(new MavenReleaseResolver(releases));
        Path base = Path.of("/tmp", "stratus-bench-raw-" + ProcessHandle.current().pid());
        Files.createDirectories(base);
        Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            long t0 = System.nanoTime();
            try (LocalPostgres pg = LocalPostgres.start(base.resolve("pg"), release, OsUser.forPostgres("postgres"),
                    "postgres", true, Map.of())) {
                Pgbench.run(URI.create("postgresql://" + pg.superuser() + ":" + pg.password() + "@127.0.0.1:"
                        + pg.port() + "/postgres"), "-i", "-q", "-s", String.valueOf(SCALE));
                return (System.nanoTime() - t0) / 1e9;
            }
        } finally {
            PostgresCluster.deleteRecursively(base);
        }
    }

    private static String single(String uri, String sql) throws Exception {
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
