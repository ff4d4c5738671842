package io.stratus.controlplane.backups;

import io.stratus.controlplane.tasks.TaskFinished;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Settles backups and verifications by their tasks' final states, in the transaction that stores the task. Applied
 * once: only a RUNNING backup (or verification) changes. A backup is good only when its task SUCCEEDED and reported a
 * manifest, a consistency point and its first WAL segment; a success without them is a failure ({@code
 * invalid-result}), never half good.
 */
@Component
class BackupTaskResults {

    private static final Logger log = LoggerFactory.getLogger(BackupTaskResults.class);

    private final BackupRecords records;
    private final Clock clock;

    BackupTaskResults(BackupRecords records, Clock clock) {
        this.records = records;
        this.clock = clock;
    }

    @EventListener
    void onTaskFinished(TaskFinished task) {
        switch (task.type()) {
            case Backups.BACKUP_TASK -> backupFinished(task);
            case Backups.VERIFY_TASK -> verificationFinished(task);
            default -> {
            }
        }
    }

    private void backupFinished(TaskFinished task) {
        Instant now = clock.instant();
        if (!task.succeeded()) {
            if (records.fail(task.taskId(), task.reasonCode(), task.message(), now)) {
                log.warn("backup task {} of database {} failed: {}: {}", task.taskId(), task.databaseId(),
                        task.reasonCode(), task.message());
            }
            return;
        }
        BackupRecords.Result result;
        try {
            result = result(task.result());
        } catch (IllegalArgumentException | DateTimeParseException | ClassCastException | ArithmeticException e) {
            records.fail(task.taskId(), "invalid-result", "the agent reported success with an unusable result: "
                    + e.getMessage(), now);
            log.error("backup task {} of database {} reported success with an unusable result: {}", task.taskId(),
                    task.databaseId(), e.getMessage());
            return;
        }
        if (records.succeed(task.taskId(), result, task.message())) {
            log.info("backup task {} of database {} succeeded: {} bytes, consistent at {}", task.taskId(),
                    task.databaseId(), result.sizeBytes(), result.stoppedAt());
        }
    }

    private void verificationFinished(TaskFinished task) {
        Instant now = clock.instant();
        if (task.succeeded()) {
            records.verificationSucceeded(task.taskId(), task.result(), task.message(), now);
        } else if (records.verificationFailed(task.taskId(), task.reasonCode(), task.message(), now)) {
            // Loud on purpose: a backup that does not restore is the failure nobody notices until they need it.
            log.error("verification task {} of database {} FAILED: {}: {}", task.taskId(), task.databaseId(),
                    task.reasonCode(), task.message());
        }
    }

    /** The task's result, with what a restore needs required. */
    static BackupRecords.Result result(Map<String, Object> r) {
        // Retention compares segment numbers from here: a name that is not a segment's would stop it for good.
        for (String wal : new String[] {"startWal", "stopWal"}) {
            if (r.get(wal) != null && !io.stratus.protocol.WalNames.isSegment(r.get(wal).toString())) {
                throw new IllegalArgumentException(wal + " is not a WAL segment file name: " + r.get(wal));
            }
        }
        return new BackupRecords.Result(text(r, "method", false), text(r, "release", false), number(r, "timeline"),
                text(r, "startLsn", false), text(r, "stopLsn", false), text(r, "startWal", true),
                text(r, "stopWal", false), instant(r, "startedAt", false), instant(r, "stoppedAt", true),
                instant(r, "finishedAt", false), number(r, "sizeBytes"),
                r.get("files") == null ? null : Math.toIntExact(number(r, "files")), text(r, "manifestKey", true));
    }

    private static String text(Map<String, Object> r, String key, boolean required) {
        Object v = r.get(key);
        if (v == null || v.toString().isBlank()) {
            if (required) {
                throw new IllegalArgumentException("no " + key);
            }
            return null;
        }
        return v.toString();
    }

    private static Long number(Map<String, Object> r, String key) {
        Object v = r.get(key);
        return v == null ? null : v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }

    private static Instant instant(Map<String, Object> r, String key, boolean required) {
        String v = text(r, key, required);
        return v == null ? null : Instant.parse(v);
    }
}
