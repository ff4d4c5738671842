package io.stratus.agent.backups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.ComputeConventions;
import io.stratus.agent.TestHost;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.computes.NodeObservation;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.agent.tasks.TaskFailure;
import io.stratus.agent.tasks.TaskType;
import io.stratus.backupstore.BackupStoreSettings;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.ScramVerifier;
import io.stratus.protocol.BackupKeys;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import io.stratus.protocol.RestoreSpec;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base backups and restores against real Postgres computes run by a real reconciler, into a filesystem store: what a
 * restore gives back is exactly what the database held at the backup's end, or at the point in time asked for.
 */
class BackupRestoreTests {

    private static final UUID NODE = UUID.randomUUID();
    private static final String PASSWORD = "pw";
    private static final TaskType.Progress NO_PROGRESS = percent -> { };

    @TempDir
    Path storeDir;

    private TestHost host;
    private AgentPaths paths;
    private ReleaseCatalog releases;
    private OsUser user;
    private String major;
    private AgentBackupStore store;
    private WalShipper shipper;
    private Restores restores;
    private BaseBackupTask backup;
    private VerifyBackupTask verify;
    private ComputeReconciler reconciler;
    private final JsonMapper json = JsonMapper.builder().build();
    private final List<ComputeSpec> specs = new ArrayList<>();
    private long generation;

    @BeforeEach
    void setUp() {
        host = new TestHost();
        paths = host.paths();
        releases = new ReleaseCatalog(List.of(), paths.releases());
        user = OsUser.forPostgres("postgres");
        major = String.valueOf(releases.defaultRelease().major());
        BackupSettings settings = new BackupSettings(new BackupStoreSettings("filesystem", storeDir, null, null, null,
                null, null, null, false), Duration.ofSeconds(60), Duration.ofMillis(200));
        user.ensureCanTraverse(storeDir);
        store = new AgentBackupStore(settings);
        shipper = new WalShipper(paths, store, settings);
        shipper.start();
        BackupMaterializer materializer = new BackupMaterializer(store, releases, user, json);
        restores = new Restores(paths, materializer);
        backup = new BaseBackupTask(paths, store, shipper, json, Clock.systemUTC());
        verify = new VerifyBackupTask(paths, materializer);
        reconciler = new ComputeReconciler(host.settings(0), paths, releases, new WarmPool(0, paths, releases, user),
                user, host.cgroups(), json, Clock.systemUTC(), e -> { },
                new BackupsForComputes(new WalArchiving(paths, store, settings), restores, store));
        reconciler.start();
    }

    @AfterEach
    void tearDown() {
        reconciler.stop();
        shipper.stop();
        restores.destroy();
        store.destroy();
        host.close();
    }

    @Test
    void aRestoreOfAHotBackupHoldsExactlyWhatTheDatabaseHeldWhenTheBackupEnded() throws Exception {
        ComputeSpec source = create("shop");
        sql(source, "CREATE TABLE orders (id int PRIMARY KEY, item text)",
                "INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 1000) g");

        TaskType.Outcome done = backup(source, UUID.randomUUID());
        sql(source, "INSERT INTO orders VALUES (1001, 'after the backup')", "DELETE FROM orders WHERE id <= 10");

        assertThat(done.result()).containsEntry("method", "hot");
        ComputeSpec restored = restore("shop_copy", source, UUID.fromString(manifestBackupId(done)), null);
        assertThat(rows(restored, "SELECT count(*), min(id), max(id) FROM orders")).isEqualTo("1000,1,1000");
        assertThat(rows(source, "SELECT count(*), min(id), max(id) FROM orders")).as("the source is untouched")
                .isEqualTo("991,11,1001");
    }

    @Test
    void aPointInTimeRestoreHoldsExactlyTheCommitsBeforeThatInstant() throws Exception {
        ComputeSpec source = create("ledger");
        sql(source, "CREATE TABLE entries (id int PRIMARY KEY)", "INSERT INTO entries VALUES (1)");
        UUID backupId = UUID.randomUUID();
        backup(source, backupId);
        sql(source, "INSERT INTO entries VALUES (2)");
        Instant between = databaseClock(source); // after commit 2 returned, before commit 3 began
        sql(source, "INSERT INTO entries VALUES (3)");
        switchWal(source);

        ComputeSpec restored = restore("ledger_then", source, backupId, between);

        assertThat(rows(restored, "SELECT string_agg(id::text, ' ' ORDER BY id) FROM entries")).isEqualTo("1 2");
    }

    // Nothing committed after the instant: Postgres cannot see it pass and ends recovery early. What was archived is the
    // whole truth only if its newest segment was switched after the instant; otherwise the restore is refused.
    @Test
    void aPointAfterTheLastCommitRestoresAllArchivedWalButOneNotSurelyArchivedIsRefused() throws Exception {
        ComputeSpec source = create("quiet");
        sql(source, "CREATE TABLE entries (id int PRIMARY KEY)", "INSERT INTO entries VALUES (1)");
        UUID backupId = UUID.randomUUID();
        backup(source, backupId);
        sql(source, "INSERT INTO entries VALUES (2)");
        Instant afterTheLastCommit = databaseClock(source);
        // The segment must be stored more than ARCHIVE_LAG after the instant: wall time has to pass, whatever the load.
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(
                afterTheLastCommit.plus(io.stratus.protocol.WalNames.ARCHIVE_LAG)));
        switchWal(source);

        ComputeSpec restored = restore("quiet_then", source, backupId, afterTheLastCommit);
        assertThat(rows(restored, "SELECT string_agg(id::text, ' ' ORDER BY id) FROM entries")).isEqualTo("1 2");

        String refused = restoreFailure("quiet_now", source, backupId, Instant.now());
        assertThat(refused).contains("target-not-archived");
    }

    @Test
    void aSuspendedDatabaseIsCopiedColdWithoutWakingItAndRestores() throws Exception {
        ComputeSpec source = create("sleepy");
        sql(source, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('at rest')");
        ComputeSpec stopped = source.toBuilder().running(false).specVersion(2).build();
        replace(source, stopped);
        assertThat(reconciler.running(source.computeId())).isEmpty();

        UUID backupId = UUID.randomUUID();
        TaskType.Outcome done = backup.run(source.computeId(), Optional.empty(), new BaseBackupTask.Parameters(backupId),
                NO_PROGRESS);

        assertThat(done.result()).containsEntry("method", "cold");
        assertThat(reconciler.running(source.computeId())).as("not woken").isEmpty();
        assertThat(Files.exists(paths.pgdata(source.computeId()).resolve("postmaster.pid"))).isFalse();
        ComputeSpec restored = restore("sleepy_copy", stopped, backupId, null);
        assertThat(rows(restored, "SELECT v FROM t")).isEqualTo("at rest");
    }

    @Test
    void anIdleDatabasesBackupRestoresAndVerifies() throws Exception {
        ComputeSpec source = create("idle");
        sql(source, "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 50)");
        // Nothing written after this: the backup's last segment is archived only because the backup switches it.

        UUID backupId = UUID.randomUUID();
        backup(source, backupId);
        TaskType.Outcome verified = verify.run(source.computeId(), reconciler.running(source.computeId()),
                new VerifyBackupTask.Parameters(backupId), NO_PROGRESS);

        assertThat(verified.result()).containsEntry("checksums", "ok").containsEntry("tablesCounted", 1);
        @SuppressWarnings("unchecked")
        Map<String, Object> rows = (Map<String, Object>) verified.result().get("rows");
        assertThat(rows).containsEntry("public.t", 50L);
        assertThat(restore("idle_copy", source, backupId, null)).satisfies(r ->
                assertThat(rows(r, "SELECT count(*) FROM t")).isEqualTo("50"));
    }

    @Test
    void aFlippedByteInTheStoreFailsVerificationNamingTheFile() throws Exception {
        ComputeSpec source = create("fragile");
        sql(source, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('x')");
        UUID backupId = UUID.randomUUID();
        backup(source, backupId);
        Path victim = storeDir.resolve(BackupKeys.dataFile(source.computeId(), backupId, "global/pg_control"));
        try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x01);
        }

        assertThatThrownBy(() -> verify.run(source.computeId(), reconciler.running(source.computeId()),
                new VerifyBackupTask.Parameters(backupId), NO_PROGRESS))
                .isInstanceOfSatisfying(TaskFailure.class, f -> {
                    assertThat(f.reasonCode()).isEqualTo("checksum-mismatch");
                    assertThat(f.getMessage()).contains("global/pg_control");
                });
    }

    // ---- helpers ----

    private ComputeSpec create(String name) throws Exception {
        ComputeSpec spec = spec(name);
        specs.add(spec);
        assertThat(status(apply(), spec).phase()).isEqualTo(ComputePhase.RUNNING);
        return spec;
    }

    private void replace(ComputeSpec old, ComputeSpec now) throws Exception {
        specs.set(specs.indexOf(old), now);
        apply();
    }

    private ComputeSpec restore(String name, ComputeSpec source, UUID backupId, Instant target) throws Exception {
        ComputeSpec spec = restoring(name, source, backupId, target);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            ComputeStatus s = status(reconciler.observe(), spec);
            assertThat(s.phase()).as(s.message()).isNotEqualTo(ComputePhase.FAILED);
            return s.phase() == ComputePhase.RUNNING && s.acceptingLogins();
        });
        return spec;
    }

    /** A new compute restored from the source's backup, added to the desired state and applied. */
    private ComputeSpec restoring(String name, ComputeSpec source, UUID backupId, Instant target) throws Exception {
        ComputeSpec spec = spec(name).toBuilder().restore(new RestoreSpec(source.computeId(), backupId, target,
                source.databaseName(), source.ownerRole())).build();
        specs.add(spec);
        apply();
        return spec;
    }

    private ComputeSpec spec(String name) {
        return ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName(name).ownerRole(name + "_owner")
                .ownerVerifier(ScramVerifier.of(PASSWORD)).running(true).cu(BigDecimal.ONE)
                .minCu(new BigDecimal("0.25")).maxCu(BigDecimal.ONE).release(major).specVersion(1).build();
    }

    /** A restore that must fail: the compute's failure message. */
    private String restoreFailure(String name, ComputeSpec source, UUID backupId, Instant target) throws Exception {
        ComputeSpec spec = restoring(name, source, backupId, target);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            ComputeStatus s = status(reconciler.observe(), spec);
            assertThat(s.phase()).as(s.message()).isNotEqualTo(ComputePhase.RUNNING);
            return s.phase() == ComputePhase.FAILED;
        });
        specs.remove(spec);
        return status(reconciler.observe(), spec).message();
    }

    private NodeObservation apply() throws Exception {
        return reconciler.apply(new DesiredState(NODE, ++generation, List.copyOf(specs))).get(120, TimeUnit.SECONDS);
    }

    private static ComputeStatus status(NodeObservation o, ComputeSpec spec) {
        return o.computes().stream().filter(c -> c.computeId().equals(spec.computeId())).findFirst().orElseThrow();
    }

    private TaskType.Outcome backup(ComputeSpec spec, UUID backupId) throws Exception {
        Optional<RunningCompute> running = reconciler.running(spec.computeId());
        assertThat(running).isPresent();
        return backup.run(spec.computeId(), running, new BaseBackupTask.Parameters(backupId), NO_PROGRESS);
    }

    private static String manifestBackupId(TaskType.Outcome outcome) {
        String key = (String) outcome.result().get("manifestKey");
        String[] parts = key.split("/");
        return parts[parts.length - 2];
    }

    /** Ends the current WAL segment and waits until it is in the store. */
    private void switchWal(ComputeSpec spec) throws Exception {
        RunningCompute running = reconciler.running(spec.computeId()).orElseThrow();
        String segment;
        try (Connection c = ComputeConventions.maintenanceConnection(running.cluster(), "test", 30);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
            rs.next();
            segment = rs.getString(1);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                store.store().orElseThrow().stat(BackupKeys.walFile(spec.computeId(), segment)).isPresent());
    }

    /** The database server's clock now: what commit timestamps, and so recovery targets, are compared with. */
    private Instant databaseClock(ComputeSpec spec) throws SQLException {
        try (Connection c = TestHost.connectToCompute(paths, spec.computeId(), spec.databaseName(), spec.ownerRole(),
                PASSWORD); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private void sql(ComputeSpec spec, String... statements) throws SQLException {
        try (Connection c = TestHost.connectToCompute(paths, spec.computeId(), spec.databaseName(), spec.ownerRole(),
                PASSWORD); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private String rows(ComputeSpec spec, String query) throws SQLException {
        try (Connection c = TestHost.connectToCompute(paths, spec.computeId(), spec.databaseName(), spec.ownerRole(),
                PASSWORD); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    cols.add(rs.getString(i));
                }
                out.add(String.join(",", cols));
            }
            return String.join("\n", out);
        }
    }
}
