package io.stratus.controlplane.databases;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.operations.OperationType;
import io.stratus.controlplane.operations.Operations;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The background loops of the databases feature: place databases that waited for a node, and fail operations the data
 * plane did not complete in time (a database whose creation timed out becomes FAILED; it can be deleted).
 */
@Component
class OperationTimeouts {

    private static final Logger log = LoggerFactory.getLogger(OperationTimeouts.class);

    private final Operations operations;
    private final DatabaseProvisioning provisioning;
    private final DatabaseRepository databases;
    private final StratusSettings settings;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final Duration restoreTimeout;

    /**
     * A backup's or a verification's operation ends with its task, whose own deadline (hours, not the operation
     * timeout's minutes) fails it: failing it here would show FAILED for a backup that then succeeds.
     */
    private static final Set<OperationType> ENDED_BY_THEIR_TASK =
            EnumSet.of(OperationType.BACKUP_DATABASE, OperationType.VERIFY_BACKUP);

    OperationTimeouts(Operations operations, DatabaseProvisioning provisioning, DatabaseRepository databases,
                      StratusSettings settings, TransactionTemplate tx, Clock clock,
                      @Value("${stratus.backups.restore-timeout:6h}")
                      Duration restoreTimeout) {
        this.restoreTimeout = restoreTimeout;
        this.operations = operations;
        this.provisioning = provisioning;
        this.databases = databases;
        this.settings = settings;
        this.tx = tx;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${stratus.placement-interval:2s}")
    void placePending() {
        int n = provisioning.placePending();
        if (n > 0) {
            log.info("placed {} database(s) that were waiting for a node", n);
        }
    }

    @Scheduled(fixedDelayString = "${stratus.operation-timeout-interval:10s}")
    void failExpired() {
        for (var op : operations.openSince(clock.instant().minus(settings.operationTimeout()))) {
            if (ENDED_BY_THEIR_TASK.contains(op.type())) {
                continue;
            }
            // A restore copies the whole backup from the store and replays WAL: it gets hours, as a backup does.
            Duration timeout = op.type() == OperationType.RESTORE_DATABASE ? restoreTimeout
                    : settings.operationTimeout();
            if (op.createdAt().isAfter(clock.instant().minus(timeout))) {
                continue;
            }
            tx.executeWithoutResult(s -> {
                String reason = "not observed done within " + timeout;
                // The database's row before its operation's, as every other change takes them (no deadlock).
                var db = databases.lockById(op.databaseId());
                operations.fail(op.id(), reason);
                if (op.type() == OperationType.CREATE_DATABASE || op.type() == OperationType.RESTORE_DATABASE) {
                    db.ifPresent(d -> d.markFailed(reason));
                }
            });
            log.warn("operation {} ({}) of database {} timed out", op.id(), op.type(), op.databaseId());
        }
    }
}
