package io.stratus.controlplane.backups;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.postgres.ScramVerifier;
import io.stratus.testing.ApiClient;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.stratus.protocol.TaskStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class BackupApiTests extends BackupTest {

    private ApiClient.Response putPolicy(String key, UUID db, String body) {
        return api().send(key, "PUT", "/v1/databases/" + db + "/backup-policy", body, Map.of());
    }

    private static List<String> fields(ApiClient.Response r) {
        return r.json().get("errors").findValuesAsString("field");
    }

    private long triggers(UUID db) {
        return jdbc.queryForObject("select count(*) from qrtz_triggers where trigger_name = ?", Long.class,
                "backup-" + db);
    }

    @Test
    void aPolicyIsValidatedFieldByFieldScheduledAndCleared() {
        Db db = runningDatabase(newTenant(), "policed");
        String admin = db.tenant().adminKey();

        var badCron = putPolicy(admin, db.id(), "{\"schedule\":\"0 3 * *\",\"retentionDays\":7}");
        assertThat(badCron.status()).as(badCron.raw()).isEqualTo(400);
        assertThat(badCron.contentType()).startsWith("application/problem+json");
        assertThat(fields(badCron)).containsExactly("schedule");
        var tooOften = putPolicy(admin, db.id(), "{\"schedule\":\"*/2 * * * *\",\"retentionDays\":7}");
        assertThat(tooOften.status()).isEqualTo(400);
        assertThat(fields(tooOften)).containsExactly("schedule");
        assertThat(tooOften.text("detail")).contains("at most every 5 minutes");
        var noDays = putPolicy(admin, db.id(), "{\"schedule\":\"0 3 * * *\",\"retentionDays\":0}");
        assertThat(noDays.status()).isEqualTo(400);
        assertThat(fields(noDays)).containsExactly("retentionDays");
        var both = putPolicy(admin, db.id(), "{\"schedule\":\"0 3 1 * MON\",\"retentionDays\":3651}");
        assertThat(fields(both)).containsExactlyInAnyOrder("schedule", "retentionDays");
        var wrongType = putPolicy(admin, db.id(), "{\"schedule\":\"0 3 * * *\",\"retentionDays\":\"7\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(api().get(admin, "/v1/databases/" + db.id() + "/backup-policy").status())
                .as("nothing stored by a refused policy").isEqualTo(404);
        assertThat(triggers(db.id())).isZero();

        assertThat(putPolicy(db.tenant().readKey(), db.id(), "{\"schedule\":\"0 3 * * *\",\"retentionDays\":7}").status())
                .isEqualTo(403);
        var ok = putPolicy(admin, db.id(), "{\"schedule\":\"0 3 * * sun\",\"retentionDays\":14}");
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.text("schedule")).isEqualTo("0 3 * * SUN");
        var read = api().get(db.tenant().readKey(), "/v1/databases/" + db.id() + "/backup-policy");
        assertThat(read.json().get("retentionDays").asInt()).isEqualTo(14);
        assertThat(triggers(db.id())).isOne();
        assertThat(jdbc.queryForObject("select cron_expression from qrtz_cron_triggers where trigger_name = ?",
                String.class, "backup-" + db.id())).isEqualTo("0 0 3 ? * SUN");

        assertThat(api().delete(admin, "/v1/databases/" + db.id() + "/backup-policy").status()).isEqualTo(204);
        assertThat(triggers(db.id())).isZero();
        assertThat(api().get(admin, "/v1/databases/" + db.id() + "/backup-policy").status()).isEqualTo(404);
    }

    @Test
    void deletingADatabaseRemovesItsTrigger() {
        Db db = runningDatabase(newTenant(), "doomed");
        putPolicy(db.tenant().adminKey(), db.id(), "{\"schedule\":\"0 3 * * *\",\"retentionDays\":7}");
        assertThat(triggers(db.id())).isOne();

        assertThat(api().delete(db.tenant().adminKey(), "/v1/databases/" + db.id()).status()).isEqualTo(202);

        assertThat(triggers(db.id())).isZero();
    }

    @Test
    void otherTenantsDatabasesAndBackupsAreNotFoundOnEveryBackupEndpoint() {
        Db db = runningDatabase(newTenant(), "private");
        UUID backup = goodBackup(db, Instant.now().minusSeconds(60), "000000010000000000000005");
        TestTenant stranger = newTenant();

        for (String key : List.of(stranger.adminKey(), stranger.readKey())) {
            String base = "/v1/databases/" + db.id();
            List<ApiClient.Response> answers = List.of(
                    api().get(key, base + "/backup-policy"),
                    putPolicy(key, db.id(), "{\"schedule\":\"0 3 * * *\",\"retentionDays\":7}"),
                    api().delete(key, base + "/backup-policy"),
                    api().post(key, base + "/backups", null),
                    api().get(key, base + "/backups"),
                    api().get(key, base + "/recovery-window"),
                    api().post(key, base + "/restore", ApiClient.json("backupId", backup.toString(),
                            "newDatabaseName", "stolen")),
                    api().get(key, "/v1/backups/" + backup));
            assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.raw()).isEqualTo(404));
        }
        // Nor can the stranger restore the backup through a database of its own.
        Db own = runningDatabase(stranger, "mine");
        var r = api().post(stranger.adminKey(), "/v1/databases/" + own.id() + "/restore",
                ApiClient.json("backupId", backup.toString(), "newDatabaseName", "stolen"));
        assertThat(r.status()).as(r.raw()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from databases where name = 'stolen'", Long.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from backups where database_id = ?", Long.class, db.id()))
                .as("nothing started by the stranger").isOne();
    }

    @Test
    void aBackupRunsUntilItsTaskSucceedsWithEverythingARestoreNeeds() {
        Db db = runningDatabase(newTenant(), "lifecycle");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus")).isEqualTo("NONE");
        assertThat(api().post(db.tenant().readKey(), "/v1/databases/" + db.id() + "/backups", null).status())
                .isEqualTo(403);

        var started = backUp(db);
        UUID id = UUID.fromString(started.at("/backup/id").asString());
        assertThat(started.headers().get("location")).containsExactly("/v1/backups/" + id);
        assertThat(started.at("/backup/state").asString()).isEqualTo("RUNNING");
        assertThat(started.at("/operation/type").asString()).isEqualTo("BACKUP_DATABASE");
        JsonNode task = desired(db.node()).get("tasks").get(0);
        assertThat(task.get("type").asString()).isEqualTo("backup");
        assertThat(task.at("/parameters/backupId").asString()).isEqualTo(id.toString());
        var second = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/backups", null);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.text("type")).endsWith("/backup-running");

        Instant stoppedAt = Instant.now().minusSeconds(5).truncatedTo(ChronoUnit.MILLIS);
        succeed(db, id, stoppedAt, "000000010000000000000005");
        // A repeated report changes nothing.
        succeed(db, id, stoppedAt.plusSeconds(1), "000000010000000000000006");

        var backup = api().get(db.tenant().readKey(), "/v1/backups/" + id);
        assertThat(backup.text("state")).isEqualTo("SUCCEEDED");
        assertThat(Instant.parse(backup.text("stoppedAt"))).isEqualTo(stoppedAt);
        assertThat(backup.text("startWal")).isEqualTo("000000010000000000000005");
        assertThat(backup.json().get("sizeBytes").asLong()).isEqualTo(123_456_789L);
        assertThat(backup.text("trigger")).isEqualTo("MANUAL");
        assertThat(api().get(db.tenant().readKey(), "/v1/operations/" + started.at("/operation/id").asString())
                .text("state")).isEqualTo("SUCCEEDED");
        var view = api().get(db.tenant().readKey(), "/v1/databases/" + db.id());
        assertThat(view.text("backupStatus")).isEqualTo("OK");
        assertThat(view.at("/lastGoodBackup/id").asString()).isEqualTo(id.toString());
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id() + "/backups").at("/items/0/id")
                .asString()).isEqualTo(id.toString());
    }

    // A success without a manifest would be a backup nobody can restore: it is recorded as a failure, not as good.
    @Test
    void aSuccessWithoutAManifestIsAFailure() {
        Db db = runningDatabase(newTenant(), "nomanifest");
        UUID id = UUID.fromString(backUp(db).at("/backup/id").asString());
        Map<String, Object> result = new java.util.HashMap<>(backupResult(db.id(), id, Instant.now(),
                "000000010000000000000002"));
        result.remove("manifestKey");

        tasks.ingest(db.node().id(), List.of(io.stratus.protocol.TaskStatus.succeeded(taskOf(id), "done", result,
                Instant.now())));

        var backup = api().get(db.tenant().readKey(), "/v1/backups/" + id);
        assertThat(backup.text("state")).isEqualTo("FAILED");
        assertThat(backup.text("reasonCode")).isEqualTo("invalid-result");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus")).isEqualTo("FAILING");
    }

    @Test
    void aFailedBackupMakesTheDatabaseFailingUntilTheNextSucceeds() {
        Db db = runningDatabase(newTenant(), "failing");
        goodBackup(db, Instant.now().minusSeconds(600), "000000010000000000000003");
        UUID failed = UUID.fromString(backUp(db).at("/backup/id").asString());

        fail(db, failed, "store-unreachable", "connect timed out");

        var backup = api().get(db.tenant().readKey(), "/v1/backups/" + failed);
        assertThat(backup.text("state")).isEqualTo("FAILED");
        assertThat(backup.text("reasonCode")).isEqualTo("store-unreachable");
        assertThat(backup.text("message")).isEqualTo("connect timed out");
        var view = api().get(db.tenant().readKey(), "/v1/databases/" + db.id());
        assertThat(view.text("backupStatus")).isEqualTo("FAILING");
        assertThat(view.at("/lastGoodBackup/id").asString()).as("the older good one is still the last good")
                .isNotEqualTo(failed.toString());

        goodBackup(db, Instant.now(), "000000010000000000000007");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus")).isEqualTo("OK");
    }

    @Test
    void aBackupNotReportedByItsDeadlineFails() {
        Db db = runningDatabase(newTenant(), "silent");
        UUID id = UUID.fromString(backUp(db).at("/backup/id").asString());
        jdbc.update("update compute_tasks set deadline = ? where id = ?",
                Timestamp.from(Instant.now().minus(Duration.ofHours(1))), taskOf(id));

        tasks.expire(Duration.ofSeconds(30));

        var backup = api().get(db.tenant().readKey(), "/v1/backups/" + id);
        assertThat(backup.text("state")).isEqualTo("FAILED");
        assertThat(backup.text("reasonCode")).isEqualTo("deadline-exceeded");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus")).isEqualTo("FAILING");
        // A late success from the agent does not make it good.
        succeed(db, id, Instant.now(), "000000010000000000000004");
        assertThat(api().get(db.tenant().readKey(), "/v1/backups/" + id).text("state")).isEqualTo("FAILED");
    }

    @Test
    void aLastGoodBackupOlderThanTwicePeriodIsStale() {
        Db db = runningDatabase(newTenant(), "stale");
        UUID id = goodBackup(db, Instant.now().minus(Duration.ofHours(30)), "000000010000000000000003");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus"))
                .as("26 hours without a policy").isEqualTo("STALE");
        putPolicy(db.tenant().adminKey(), db.id(), "{\"schedule\":\"0 3 * * 0\",\"retentionDays\":30}");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus"))
                .as("a weekly policy: stale after 14 days").isEqualTo("OK");
        jdbc.update("update backups set stopped_at = ? where id = ?", Timestamp.from(Instant.now().minus(Duration.ofDays(15))), id);
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + db.id()).text("backupStatus")).isEqualTo("STALE");
    }

    @Test
    void theRecoveryWindowRunsFromTheOldestGoodBackupToTheNewestArchivedWal() throws Exception {
        Db db = runningDatabase(newTenant(), "windowed");
        String window = "/v1/databases/" + db.id() + "/recovery-window";
        assertThat(api().get(db.tenant().readKey(), window).json().get("earliest").isNull()).isTrue();

        Instant first = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
        Instant second = first.plus(Duration.ofHours(1));
        goodBackup(db, first, "000000010000000000000003");
        UUID newer = goodBackup(db, second, "000000010000000000000009");
        var w = api().get(db.tenant().readKey(), window);
        assertThat(Instant.parse(w.text("earliest"))).isEqualTo(first);
        assertThat(Instant.parse(w.text("latest"))).isEqualTo(second);

        // WAL archived after the newest backup moves the end of the window to when it was stored, less the most a segment
        // is stored after its switch (commits in that gap may be in the next segment, not yet stored).
        var wal = BACKUP_STORE.resolve(io.stratus.protocol.BackupKeys.walFile(db.id(), "00000001000000000000000A"));
        java.nio.file.Files.createDirectories(wal.getParent());
        java.nio.file.Files.write(wal, new byte[16]);
        Instant walAt = second.plus(Duration.ofMinutes(20)).truncatedTo(ChronoUnit.SECONDS);
        java.nio.file.Files.setLastModifiedTime(wal, java.nio.file.attribute.FileTime.from(walAt));
        Instant latest = walAt.minus(io.stratus.protocol.WalNames.ARCHIVE_LAG);
        assertThat(Instant.parse(api().get(db.tenant().readKey(), window).text("latest"))).isEqualTo(latest);

        Instant tooLate = walAt.plus(Duration.ofMinutes(1));
        var outside = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("pointInTime", tooLate.toString(), "newDatabaseName", "too_late"));
        assertThat(outside.status()).as(outside.raw()).isEqualTo(400);
        assertThat(fields(outside)).containsExactly("pointInTime");
        assertThat(outside.text("detail")).contains("outside the recovery window [" + first + ", " + latest + "]");
        var tooEarly = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("pointInTime", first.minusSeconds(1).toString(), "newDatabaseName", "too_early"));
        assertThat(tooEarly.status()).isEqualTo(400);

        // Between the two backups: the older one, replayed to that instant.
        Instant between = second.minus(Duration.ofMinutes(10));
        var restored = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("pointInTime", between.toString(), "newDatabaseName", "between"));
        assertThat(restored.status()).as(restored.raw()).isEqualTo(202);
        JsonNode spec = computeSpec(db.node(), UUID.fromString(restored.at("/database/id").asString()));
        assertThat(Instant.parse(spec.at("/restore/targetTime").asString())).isEqualTo(between);
        assertThat(spec.at("/restore/backupId").asString()).isNotEqualTo(newer.toString());
        // After the newest: the newest.
        var atTheEnd = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("pointInTime", latest.toString(), "newDatabaseName", "latest"));
        assertThat(computeSpec(db.node(), UUID.fromString(atTheEnd.at("/database/id").asString()))
                .at("/restore/backupId").asString()).isEqualTo(newer.toString());
    }

    private JsonNode computeSpec(Node node, UUID computeId) {
        for (JsonNode c : desired(node).get("computes")) {
            if (c.get("computeId").asString().equals(computeId.toString())) {
                return c;
            }
        }
        throw new AssertionError("compute " + computeId + " not in the desired state of node " + node.id());
    }

    @Test
    void aRestoreCreatesANewDatabaseFromTheBackupWithAPasswordShownOnce() {
        Db db = runningDatabase(newTenant(), "shop");
        UUID backup = goodBackup(db, Instant.now().minusSeconds(30), "000000010000000000000004");
        String restore = "/v1/databases/" + db.id() + "/restore";

        var neither = api().post(db.tenant().adminKey(), restore, ApiClient.json("newDatabaseName", "copy"));
        assertThat(neither.status()).isEqualTo(400);
        var both = api().post(db.tenant().adminKey(), restore, ApiClient.json("backupId", backup.toString(),
                "pointInTime", Instant.now().toString(), "newDatabaseName", "copy"));
        assertThat(both.status()).isEqualTo(400);
        var badName = api().post(db.tenant().adminKey(), restore, ApiClient.json("backupId", backup.toString(),
                "newDatabaseName", "Bad-Name"));
        assertThat(badName.status()).isEqualTo(400);
        assertThat(fields(badName)).containsExactly("newDatabaseName");
        var taken = api().post(db.tenant().adminKey(), restore, ApiClient.json("backupId", backup.toString(),
                "newDatabaseName", "shop"));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(api().post(db.tenant().readKey(), restore, ApiClient.json("backupId", backup.toString(),
                "newDatabaseName", "copy")).status()).isEqualTo(403);

        var r = api().post(db.tenant().adminKey(), restore, ApiClient.json("backupId", backup.toString(),
                "newDatabaseName", "shop_copy"), Map.of("Idempotency-Key", "restore-1"));
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        UUID copy = UUID.fromString(r.at("/database/id").asString());
        assertThat(copy).isNotEqualTo(db.id());
        assertThat(r.at("/operation/type").asString()).isEqualTo("RESTORE_DATABASE");
        assertThat(r.at("/database/release").asString()).isEqualTo(db.node().release());
        assertThat(r.at("/database/restoredFrom/backupId").asString()).isEqualTo(backup.toString());
        String password = r.at("/connection/password").asString();
        assertThat(password).hasSize(32);

        JsonNode spec = computeSpec(db.node(), copy);
        assertThat(spec.at("/restore/sourceComputeId").asString()).isEqualTo(db.id().toString());
        assertThat(spec.at("/restore/backupId").asString()).isEqualTo(backup.toString());
        assertThat(spec.at("/restore/targetTime").isNull()).isTrue();
        assertThat(spec.at("/restore/sourceDatabaseName").asString()).isEqualTo("shop");
        assertThat(spec.at("/restore/sourceOwnerRole").asString()).isEqualTo("shop_owner");
        assertThat(spec.get("databaseName").asString()).isEqualTo("shop_copy");
        assertThat(spec.get("ownerRole").asString()).isEqualTo("shop_copy_owner");
        assertThat(matches(password, spec.get("ownerVerifier").asString())).isTrue();
        // The source is untouched: its own spec has no restore.
        assertThat(computeSpec(db.node(), db.id()).get("restore").isNull()).isTrue();

        // Never shown again: not by a read, and a replay of the same key within seconds is refused, not re-issued.
        assertThat(api().get(db.tenant().adminKey(), "/v1/databases/" + copy).raw()).doesNotContain(password);
        var replay = api().post(db.tenant().adminKey(), restore, ApiClient.json("backupId", backup.toString(),
                "newDatabaseName", "shop_copy"), Map.of("Idempotency-Key", "restore-1"));
        assertThat(replay.status()).as(replay.raw()).isEqualTo(409);
        assertThat(replay.text("type")).endsWith("/idempotency-key-in-use");
        assertThat(jdbc.queryForObject("select count(*) from databases where name = 'shop_copy'", Long.class)).isOne();

        // The restore succeeds as a create does: when its compute is observed running.
        report(db.node(), copy, "RUNNING", null);
        assertThat(api().get(db.tenant().readKey(), "/v1/operations/" + r.at("/operation/id").asString())
                .text("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void aRestoreWhoseComputeFailsFailsItsOperation() {
        Db db = runningDatabase(newTenant(), "broken");
        UUID backup = goodBackup(db, Instant.now().minusSeconds(30), "000000010000000000000004");
        var r = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("backupId", backup.toString(), "newDatabaseName", "broken_copy"));
        UUID copy = UUID.fromString(r.at("/database/id").asString());

        report(db.node(), copy, "FAILED", "manifest missing from the store");

        var op = api().get(db.tenant().readKey(), "/v1/operations/" + r.at("/operation/id").asString());
        assertThat(op.text("state")).isEqualTo("FAILED");
        assertThat(op.text("error")).contains("manifest missing");
        assertThat(api().get(db.tenant().readKey(), "/v1/databases/" + copy).text("state")).isEqualTo("FAILED");
    }

    @Test
    void onlyAGoodBackupCanBeRestored() {
        Db db = runningDatabase(newTenant(), "picky");
        UUID running = UUID.fromString(backUp(db).at("/backup/id").asString());

        var r = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("backupId", running.toString(), "newDatabaseName", "from_running"));

        assertThat(r.status()).as(r.raw()).isEqualTo(409);
        assertThat(r.text("type")).endsWith("/backup-not-restorable");
        fail(db, running, "archiving-failed", "archive_command failed");
        assertThat(api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("backupId", running.toString(), "newDatabaseName", "from_failed")).status()).isEqualTo(409);
    }

    @Autowired
    private BackupVerification verification;

    @Test
    void theNewestBackupIsVerifiedAndAFailedVerificationIsShownAndMakesTheDatabaseFailing() {
        Db db = runningDatabase(newTenant(), "checked");
        goodBackup(db, Instant.now().minus(Duration.ofHours(2)), "000000010000000000000003");
        UUID newest = goodBackup(db, Instant.now().minus(Duration.ofHours(1)), "000000010000000000000005");

        verification.run();

        JsonNode task = desired(db.node()).get("tasks").get(0);
        assertThat(task.get("type").asString()).isEqualTo("verify-backup");
        assertThat(task.at("/parameters/backupId").asString()).isEqualTo(newest.toString());
        verification.run();
        assertThat(desired(db.node()).get("tasks")).as("not twice while one runs").hasSize(1);
        tasks.ingest(db.node().id(), List.of(TaskStatus.succeeded(UUID.fromString(task.get("id").asString()), "ok",
                Map.of("checksums", "ok", "files", 987, "amcheck", "ok", "indexesChecked", 12, "tablesCounted", 2,
                        "rows", Map.of("public.orders", 1000), "recoveredTo", "0/5000100"), Instant.now())));
        var verified = api().get(db.tenant().readKey(), "/v1/backups/" + newest);
        assertThat(verified.text("state")).isEqualTo("VERIFIED");
        assertThat(verified.at("/verification/state").asString()).isEqualTo("SUCCEEDED");
        assertThat(verified.at("/verification/result/rows/public.orders").asInt()).isEqualTo(1000);
        verification.run();
        assertThat(desired(db.node()).get("tasks")).as("a verified backup is not verified again").isEmpty();

        UUID next = goodBackup(db, Instant.now().minusSeconds(60), "000000010000000000000007");
        verification.run();
        UUID checkTask = UUID.fromString(desired(db.node()).get("tasks").get(0).get("id").asString());
        tasks.ingest(db.node().id(), List.of(TaskStatus.failed(checkTask, "checksum-mismatch",
                "base/16384/2619: sha256 differs from the manifest", Instant.now())));

        var bad = api().get(db.tenant().readKey(), "/v1/backups/" + next);
        assertThat(bad.text("state")).isEqualTo("SUCCEEDED");
        assertThat(bad.at("/verification/state").asString()).isEqualTo("FAILED");
        assertThat(bad.at("/verification/reasonCode").asString()).isEqualTo("checksum-mismatch");
        var view = api().get(db.tenant().readKey(), "/v1/databases/" + db.id());
        assertThat(view.text("backupStatus")).isEqualTo("FAILING");
        assertThat(view.at("/lastGoodBackup/id").asString()).as("a backup found bad is not good")
                .isEqualTo(newest.toString());
        var restore = api().post(db.tenant().adminKey(), "/v1/databases/" + db.id() + "/restore",
                ApiClient.json("backupId", next.toString(), "newDatabaseName", "from_bad"));
        assertThat(restore.status()).isEqualTo(409);
    }

    @Autowired
    private BackupHealth health;

    @Autowired
    private io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void theUnhealthyGaugeCountsLiveDatabasesWhoseBackupsFail() {
        health.refresh();
        double before = meters.get("stratus.backups.unhealthy").gauge().value();
        Db db = runningDatabase(newTenant(), "alerting");
        UUID id = UUID.fromString(backUp(db).at("/backup/id").asString());
        fail(db, id, "store-denied", "403 from the bucket");

        health.refresh();

        assertThat(meters.get("stratus.backups.unhealthy").gauge().value()).isEqualTo(before + 1);
        // Deleted, it no longer counts: nobody needs an alert for a database that is gone.
        api().delete(db.tenant().adminKey(), "/v1/databases/" + db.id());
        health.refresh();
        assertThat(meters.get("stratus.backups.unhealthy").gauge().value()).isEqualTo(before);
    }

    private static boolean matches(String password, String verifier) {
        // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
        String[] parts = verifier.split("\\$");
        String[] iterationsAndSalt = parts[1].split(":");
        byte[] salt = Base64.getDecoder().decode(iterationsAndSalt[1]);
        return ScramVerifier.of(password, salt, Integer.parseInt(iterationsAndSalt[0])).equals(verifier);
    }
}
