package io.stratus.backupstore;

/** Opens the store that settings describe. */
public final class BackupStores {

    private BackupStores() {
    }

    /** A filesystem store on {@code settings.directory()} or an S3 store, with the default timeouts. */
    public static BackupStore open(BackupStoreSettings settings) {
        return switch (settings.type()) {
            case BackupStoreSettings.FILESYSTEM -> new FileSystemBackupStore(settings.directory());
            case BackupStoreSettings.S3 -> new S3BackupStore(settings);
            default -> throw new IllegalArgumentException("unknown backup store type: " + settings.type());
        };
    }
}
