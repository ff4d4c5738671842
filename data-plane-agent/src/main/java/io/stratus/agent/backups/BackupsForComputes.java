package io.stratus.agent.backups;

import io.stratus.agent.computes.ComputeBackups;
import io.stratus.postgres.OsUser;
import io.stratus.protocol.RestoreSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The backups feature as the reconciler sees it: WAL archiving settings and restored data directories. */
@Component
class BackupsForComputes implements ComputeBackups {

    private final WalArchiving archiving;
    private final Restores restores;
    private final AgentBackupStore store;

    BackupsForComputes(WalArchiving archiving, Restores restores, AgentBackupStore store) {
        this.archiving = archiving;
        this.restores = restores;
        this.store = store;
    }

    @Override
    public Map<String, String> archiveSettings(UUID computeId, OsUser user) {
        return archiving.settings(computeId, user);
    }

    @Override
    public RestoreProgress restore(UUID computeId, RestoreSpec spec, String databaseName, String ownerRole,
                                   Path pgdata, Runnable whenDone) {
        if (!store.configured()) {
            return NONE.restore(computeId, spec, databaseName, ownerRole, pgdata, whenDone);
        }
        return restores.restore(computeId, spec, databaseName, ownerRole, pgdata, whenDone);
    }
}
