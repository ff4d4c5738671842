package io.stratus.agent.backups;

import io.stratus.backupstore.BackupStoreSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Backups on this node, {@code stratus.backups.*} (the control plane reads the same {@code store} settings: both must
 * name the same store).
 *
 * @param store          where base backups and WAL go; none configured: computes do not archive WAL and backup tasks
 *                       fail with {@code no-backup-store}
 * @param archiveTimeout the longest a busy compute's WAL waits before it is archived ({@code archive_timeout}): the
 *                       most a point-in-time restore can miss of a database that writes; an idle one switches no
 *                       segment; default 60s
 * @param shipInterval   how often archived WAL waiting in a compute's spool is sent to the store; default 1s
 */
@ConfigurationProperties("stratus.backups")
public record BackupSettings(BackupStoreSettings store,
                             @DefaultValue("60s") Duration archiveTimeout,
                             @DefaultValue("1s") Duration shipInterval) {
}
