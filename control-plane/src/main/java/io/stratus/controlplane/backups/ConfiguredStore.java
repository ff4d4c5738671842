package io.stratus.controlplane.backups;

import io.stratus.backupstore.BackupStore;
import io.stratus.backupstore.BackupStores;
import io.stratus.controlplane.web.ApiException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The backup store of {@code stratus.backups.store.*}, opened once at start; absent when none is configured, which
 * turns backups off.
 */
@Component
class ConfiguredStore implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ConfiguredStore.class);

    private final BackupStore store;

    ConfiguredStore(BackupSettings settings) {
        this.store = settings.storeSettings().map(BackupStores::open).orElse(null);
        if (store == null) {
            log.info("backups are off: no backup store configured (stratus.backups.store.type)");
        } else {
            log.info("backups go to {}", store.describe());
        }
    }

    Optional<BackupStore> store() {
        return Optional.ofNullable(store);
    }

    boolean configured() {
        return store != null;
    }

    /** The store, or the problem a caller gets when there is none. */
    BackupStore require() {
        if (store == null) {
            throw notConfigured();
        }
        return store;
    }

    static ApiException notConfigured() {
        return ApiException.conflict("backups-not-configured", "backups are not configured on this control plane "
                + "(no backup store: stratus.backups.store.*); ask the operator", null);
    }

    static ApiException unavailable(Exception cause) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "backup-store-unavailable", "Backup store unavailable",
                "the backup store could not be read: " + cause.getMessage(), java.util.List.of());
    }

    @Override
    public void destroy() {
        if (store != null) {
            store.close();
        }
    }
}
