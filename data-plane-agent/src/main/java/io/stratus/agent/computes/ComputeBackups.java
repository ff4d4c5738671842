package io.stratus.agent.computes;

import io.stratus.postgres.OsUser;
import io.stratus.protocol.RestoreSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * What the backups feature lends the reconciler: the settings that archive a compute's WAL, and data directories
 * restored from a backup for computes whose spec asks for one. Implemented in {@code io.stratus.agent.backups}; this
 * package only knows the interface.
 */
public interface ComputeBackups {

    /** No store configured: nothing archived, nothing restorable. */
    ComputeBackups NONE = new ComputeBackups() {
        @Override
        public Map<String, String> archiveSettings(UUID computeId, OsUser user) {
            return Map.of();
        }

        @Override
        public RestoreProgress restore(UUID computeId, RestoreSpec spec, String databaseName, String ownerRole,
                                       Path pgdata, Runnable whenDone) {
            return new RestoreProgress.Failed("this node has no backup store configured (stratus.backups.store.*)");
        }
    };

    /**
     * Settings that archive the compute's WAL (empty when it does not archive). Makes what they need (the compute's
     * WAL spool) so that they work from the moment they are written.
     */
    Map<String, String> archiveSettings(UUID computeId, OsUser user);

    /**
     * Restores the compute's data directory into {@code pgdata} from the backup the spec names (its database and owner
     * renamed to {@code databaseName} and {@code ownerRole}), in the background:
     * the first call starts it, later calls say how it goes. {@code whenDone} runs once it has ended either way, so
     * the reconciler looks again. Idempotent and safe after a crash (a restore cut short starts over).
     */
    RestoreProgress restore(UUID computeId, RestoreSpec spec, String databaseName, String ownerRole, Path pgdata,
                            Runnable whenDone);

    /** How a restore goes. */
    sealed interface RestoreProgress {

        /** {@code pgdata} holds the restored, recovered cluster. */
        record Done() implements RestoreProgress {
        }

        record Running(String what) implements RestoreProgress {
        }

        record Failed(String message) implements RestoreProgress {
        }
    }
}
