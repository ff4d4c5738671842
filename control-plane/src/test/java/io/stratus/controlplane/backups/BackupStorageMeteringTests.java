package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreSettings;
import io.stratus.backupstore.BackupStores;
import io.stratus.controlplane.metering.BackupStorageLedger;
import io.stratus.controlplane.metering.UsageLedger;
import io.stratus.controlplane.metering.UsageUnits;
import io.stratus.protocol.BackupKeys;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Backup storage metering (ADR 0022) against the shared context's filesystem store: objects of known sizes written as
 * an agent would, samples at instants the test chooses (the sampling cron is off in tests), byte-seconds read back
 * through the usage API. Instants are far from the real clock's, so the cluster's real hours are not touched.
 */
class BackupStorageMeteringTests extends BackupTest {

    @Autowired
    private BackupStorageSampler sampler;
    @Autowired
    private BackupStorageLedger ledger;
    @Autowired
    private UsageLedger usageLedger;
    @Autowired
    private Scheduler scheduler;

    private BackupStore store;

    @BeforeEach
    void openStore() {
        store = BackupStores.open(BackupStoreSettings.filesystem(BACKUP_STORE));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private void put(String key, int size) throws Exception {
        store.put(key, new ByteArrayInputStream(new byte[size]), size);
    }

    private UUID database(TestTenant t) {
        return UUID.fromString(createDatabase(t, "bs_" + UUID.randomUUID().toString().substring(0, 8))
                .at("/database/id").asString());
    }

    /** A good backup's files and manifest, a failed one's leftovers and archived WAL: 7800 bytes in all. */
    private long storeObjects(UUID db) throws Exception {
        UUID good = UUID.randomUUID();
        UUID failed = UUID.randomUUID();
        put(BackupKeys.dataFile(db, good, "base/1/1259"), 1000);
        put(BackupKeys.dataFile(db, good, "global/pg_control"), 2000);
        put(BackupKeys.manifest(db, good), 500);
        put(BackupKeys.dataFile(db, failed, "base/1/1259"), 300);
        put(BackupKeys.walFile(db, "000000010000000000000001"), 4000);
        return 7800;
    }

    private JsonNode series(String key, String path, String from, String to, String granularity) {
        var r = api().get(key, path + "?from=" + from + "&to=" + to + "&granularity=" + granularity);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().get("series");
    }

    @Test
    void twoSamplesAccrueBytesTimesSecondsSplitAtTheHourBoundary() throws Exception {
        TestTenant t = newTenant();
        UUID db = database(t);
        long bytes = storeObjects(db);

        sampler.sample(Instant.parse("2031-05-01T09:58:00Z"));
        assertThat(ledger.lastSample(db)).contains(new BackupStorageLedger.Sample(Instant.parse("2031-05-01T09:58:00Z"),
                bytes));
        // 300 s later: 120 s of them in the 09:00 hour, 180 s in the 10:00 hour.
        sampler.sample(Instant.parse("2031-05-01T10:03:00.750Z"));
        // The same instant again (a job fired twice, another control plane) adds nothing.
        sampler.sample(Instant.parse("2031-05-01T10:03:00Z"));
        assertThat(ledger.record(db, UUID.fromString(t.id()), Instant.parse("2031-05-01T10:01:00Z"), 1))
                .as("an instant before the last sample").isEqualByComparingTo("0");

        JsonNode hourly = series(t.readKey(), "/v1/databases/" + db + "/usage", "2031-05-01T09:00:00Z",
                "2031-05-01T11:00:00Z", "hour");
        assertThat(hourly.findValuesAsString("start")).containsExactly("2031-05-01T09:00:00Z", "2031-05-01T10:00:00Z");
        assertThat(hourly.get(0).get("backupStorageByteSeconds").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(bytes * 120));
        assertThat(hourly.get(1).get("backupStorageByteSeconds").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(bytes * 180));
        assertThat(hourly.get(1).get("backupStorageGbMonths").decimalValue()).isEqualByComparingTo(
                UsageUnits.gbMonths(BigDecimal.valueOf(bytes * 180)));
        // Backup storage is its own metric: the database's own storage is not touched.
        assertThat(hourly.get(0).get("storageByteSeconds").decimalValue()).isEqualByComparingTo("0");

        // The tenant's usage sums its databases; another tenant sees neither.
        JsonNode daily = series(t.readKey(), "/v1/tenants/" + t.id() + "/usage", "2031-05-01T00:00:00Z",
                "2031-05-02T00:00:00Z", "day");
        assertThat(daily.get(0).get("backupStorageByteSeconds").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(bytes * 300));
        TestTenant other = newTenant();
        assertThat(api().get(other.readKey(), "/v1/databases/" + db + "/usage?from=2031-05-01T00:00:00Z"
                + "&to=2031-05-02T00:00:00Z&granularity=day").status()).isEqualTo(404);
        assertThat(api().get(other.readKey(), "/v1/tenants/" + t.id() + "/usage").status()).isIn(403, 404);
        assertThat(series(other.readKey(), "/v1/tenants/" + other.id() + "/usage", "2031-05-01T00:00:00Z",
                "2031-05-02T00:00:00Z", "day")).isEmpty();
    }

    @Test
    void whatRetentionDeletesStopsBeingChargedAtTheNextSample() throws Exception {
        TestTenant t = newTenant();
        UUID db = database(t);
        long bytes = storeObjects(db);
        sampler.sample(Instant.parse("2031-06-01T12:00:00Z"));
        store.delete(store.list(BackupKeys.database(db)).stream().map(o -> o.key()).toList());
        sampler.sample(Instant.parse("2031-06-01T12:05:00Z"));
        sampler.sample(Instant.parse("2031-06-01T12:30:00Z"));
        JsonNode hourly = series(t.readKey(), "/v1/databases/" + db + "/usage", "2031-06-01T12:00:00Z",
                "2031-06-01T13:00:00Z", "hour");
        // Held 5 minutes at the first sample's size, then nothing.
        assertThat(hourly.get(0).get("backupStorageByteSeconds").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(bytes * 300));
        assertThat(ledger.lastSample(db).orElseThrow().bytes()).isZero();
        assertThat(ledger.holdingBytes()).doesNotContainKey(db);
    }

    /*
     * A deleted database is charged while one of its backups is in the store (retention keeps them, so the delete can
     * be undone); once retention has deleted the last one, it is recorded empty, without a listing: WAL left behind
     * is not the tenant's to pay.
     */
    @Test
    void aDeletedDatabaseIsChargedUntilRetentionHasDeletedItsBackups() throws Exception {
        Db db = runningDatabase(newTenant(), "bs_del_" + UUID.randomUUID().toString().substring(0, 6));
        UUID backup = goodBackup(db, Instant.now().minusSeconds(60), "000000010000000000000003");
        put(BackupKeys.manifest(db.id(), backup), 1000);
        put(BackupKeys.walFile(db.id(), "000000010000000000000003"), 500);
        jdbc.update("update databases set state = 'DELETED', deleted_at = now() where id = ?", db.id());

        sampler.sample(Instant.parse("2031-08-01T10:00:00Z"));
        sampler.sample(Instant.parse("2031-08-01T10:10:00Z"));
        assertThat(ledger.lastSample(db.id()).orElseThrow().bytes()).isEqualTo(1500);

        // Retention expired it and deleted its objects; the WAL stays (no good backup left to say what to keep).
        jdbc.update("update backups set state = 'EXPIRED', expired_at = now(), store_deleted_at = now() where id = ?",
                backup);
        store.delete(List.of(BackupKeys.manifest(db.id(), backup)));
        sampler.sample(Instant.parse("2031-08-01T10:15:00Z"));
        sampler.sample(Instant.parse("2031-08-01T10:45:00Z"));

        assertThat(ledger.lastSample(db.id()).orElseThrow()).isEqualTo(new BackupStorageLedger.Sample(
                Instant.parse("2031-08-01T10:15:00Z"), 0));
        assertThat(jdbc.queryForObject("select sum(backup_byte_seconds) from usage_hourly where database_id = ?",
                BigDecimal.class, db.id())).isEqualByComparingTo(BigDecimal.valueOf(1500L * 900));
    }

    @Test
    void byteSecondsOfAnHourClosedByAnExportAreBilledInAnOpenHour() throws Exception {
        TestTenant t = newTenant();
        UUID db = database(t);
        UUID tenant = UUID.fromString(t.id());
        Instant closedHour = Instant.parse("2001-03-01T10:00:00Z");
        usageLedger.closeAndRollUp(closedHour, closedHour.plusSeconds(3600));
        ledger.record(db, tenant, Instant.parse("2001-03-01T10:50:00Z"), 1000);
        BigDecimal added = ledger.record(db, tenant, Instant.parse("2001-03-01T11:10:00Z"), 1000);
        assertThat(added).isEqualByComparingTo("1200000");

        // The closed hour is untouched; its 600 s went to an open hour after it, the 11:00 hour's 600 s to 11:00.
        assertThat(jdbc.queryForObject("select count(*) from usage_hourly where database_id = ? and hour = ?",
                Long.class, db, java.sql.Timestamp.from(closedHour))).isZero();
        assertThat(jdbc.queryForObject("select count(*) from usage_hourly where database_id = ? and hour <= ?",
                Long.class, db, java.sql.Timestamp.from(closedHour))).isZero();
        assertThat(jdbc.queryForObject("select sum(backup_byte_seconds) from usage_hourly where database_id = ?",
                BigDecimal.class, db)).isEqualByComparingTo("1200000");
    }

    /*
     * Two control planes (or a misfired job and its next firing) sample the same database at once, at the same instant
     * or at different ones, in any order: the row lock on the last sample lets each interval be accrued once, so the
     * total is the bytes times the span up to the latest instant, whatever the interleaving.
     */
    @Test
    void concurrentSamplersNeverCountAnIntervalTwice() throws Exception {
        TestTenant t = newTenant();
        UUID db = database(t);
        UUID tenant = UUID.fromString(t.id());
        Instant start = Instant.parse("2031-07-01T08:59:50Z");
        ledger.record(db, tenant, start, 5000);
        List<Instant> instants = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            instants.add(start.plusSeconds(i));
            instants.add(start.plusSeconds(20)); // the same instant, many times
        }
        Collections.shuffle(instants);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<BigDecimal>> results = new ArrayList<>();
            for (Instant at : instants) {
                results.add(pool.submit(() -> {
                    go.await();
                    return ledger.record(db, tenant, at, 5000);
                }));
            }
            go.countDown();
            BigDecimal total = BigDecimal.ZERO;
            for (Future<BigDecimal> f : results) {
                total = total.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(total).isEqualByComparingTo(BigDecimal.valueOf(5000L * 20));
        } finally {
            pool.shutdownNow();
        }
        BigDecimal stored = jdbc.queryForObject("select sum(backup_byte_seconds) from usage_hourly where database_id = ?",
                BigDecimal.class, db);
        assertThat(stored).isEqualByComparingTo(BigDecimal.valueOf(5000L * 20));
        // 10 s before 09:00 and 10 s after.
        assertThat(jdbc.queryForObject("select backup_byte_seconds from usage_hourly where database_id = ? and hour = ?",
                BigDecimal.class, db, java.sql.Timestamp.from(Instant.parse("2031-07-01T08:00:00Z"))))
                .isEqualByComparingTo(BigDecimal.valueOf(5000L * 10));
    }

    @Test
    void samplingIsAClusteredCronJobOfItsOwn() throws Exception {
        var trigger = scheduler.getTrigger(TriggerKey.triggerKey(BackupJobs.STORAGE_SAMPLING_JOB.getName(),
                BackupJobs.STORAGE_SAMPLING_JOB.getGroup()));
        assertThat(trigger).isInstanceOf(CronTrigger.class);
        assertThat(((CronTrigger) trigger).getCronExpression()).isEqualTo("0 0 0 1 1 ? 2099");
        assertThat(scheduler.getJobDetail(BackupJobs.STORAGE_SAMPLING_JOB).getJobClass())
                .isEqualTo(BackupJobs.StorageSamplingJob.class);
        assertThat(BackupJobs.StorageSamplingJob.class).hasAnnotation(org.quartz.DisallowConcurrentExecution.class);
    }
}
