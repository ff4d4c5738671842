package io.stratus.controlplane.backups;

import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.tasks.ComputeTasks;
import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Verifies the newest good backup of each database that has not been verified: a {@code verify-backup} task on the
 * database's node restores it into a throwaway directory, replays it, starts it, runs amcheck and counts rows. Its
 * result lands through {@link BackupTaskResults}: VERIFIED, or a failed verification the API shows (and the database's
 * backupStatus FAILING). A database without a compute to run it on (deleted, failed) is left out.
 */
@Service
class BackupVerification {

    private static final Logger log = LoggerFactory.getLogger(BackupVerification.class);

    private final BackupRecords records;
    private final ComputeTasks tasks;
    private final ConfiguredStore store;
    private final BackupSettings settings;
    private final TransactionTemplate transactions;
    private final Clock clock;

    BackupVerification(BackupRecords records, ComputeTasks tasks, ConfiguredStore store, BackupSettings settings,
                       TransactionTemplate transactions, Clock clock) {
        this.records = records;
        this.tasks = tasks;
        this.store = store;
        this.settings = settings;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** @return how many verifications were started */
    int run() {
        if (!store.configured()) {
            return 0;
        }
        int started = 0;
        for (Backup newest : records.newestGoodPerDatabase()) {
            boolean storeFailedLastTime = newest.verification() != null
                    && newest.verification().state().equals("FAILED") && !newest.verification().condemns();
            if (!newest.state().equals("SUCCEEDED") || (newest.verification() != null && !storeFailedLastTime)) {
                continue; // verified already, or being verified
            }
            try {
                transactions.executeWithoutResult(tx -> {
                    var queued = tasks.queue(newest.databaseId(), OperationType.VERIFY_BACKUP, Backups.VERIFY_TASK,
                            Map.of("backupId", newest.id().toString()), settings.verifyTimeout());
                    records.verificationStarted(newest.id(), queued.task().id(), clock.instant());
                });
                started++;
                log.info("verification of backup {} of database {} started", newest.id(), newest.databaseId());
            } catch (ApiException e) {
                log.info("backup {} of database {} not verified: {}", newest.id(), newest.databaseId(), e.getMessage());
            }
        }
        return started;
    }
}
