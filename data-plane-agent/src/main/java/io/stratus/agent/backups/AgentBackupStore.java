package io.stratus.agent.backups;

import io.stratus.agent.tasks.TaskFailure;
import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStoreException;
import io.stratus.backupstore.BackupStores;
import java.util.Optional;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** The node's backup store, when one is configured. */
@Component
public class AgentBackupStore implements DisposableBean {

    private final Optional<BackupStore> store;

    public AgentBackupStore(BackupSettings settings) {
        this.store = Optional.ofNullable(settings.store()).map(BackupStores::open);
    }

    public boolean configured() {
        return store.isPresent();
    }

    public Optional<BackupStore> store() {
        return store;
    }

    /** The store, or the failure a task reports when the node has none. */
    BackupStore require() throws TaskFailure {
        return store.orElseThrow(() -> new TaskFailure("no-backup-store",
                "this node has no backup store configured (stratus.backups.store.*)"));
    }

    /** A store error as a task failure whose reason says what went wrong: unreachable, denied, missing, failed. */
    static TaskFailure failure(BackupStoreException e) {
        String reason = switch (e.reason()) {
            case UNREACHABLE -> "store-unreachable";
            case DENIED -> "store-denied";
            case MISSING -> "missing-file";
            case FAILED -> "store-failed";
        };
        return new TaskFailure(reason, e.getMessage());
    }

    @Override
    public void destroy() {
        store.ifPresent(BackupStore::close);
    }
}
