package io.stratus.controlplane.security;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.support.SecretFiles;
import io.stratus.controlplane.support.Tokens;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Makes sure the operator can get in: {@code STRATUS_OPERATOR_KEY} when set, otherwise a key generated on first start
 * into {@code $STRATUS_DATA_DIR/operator.key} (mode 0600) and printed once. A configured key is the only operator key:
 * one configured before it is revoked (rotation), and a revoked one stops the start ({@link ApiKeys#ensureOperatorKey}).
 */
@Component
class OperatorKeyBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(OperatorKeyBootstrap.class);

    private final StratusSettings settings;
    private final ApiKeys apiKeys;

    OperatorKeyBootstrap(StratusSettings settings, ApiKeys apiKeys) {
        this.settings = settings;
        this.apiKeys = apiKeys;
    }

    @Override
    public void run(ApplicationArguments args) {
        var configured = SecretFiles.nonBlank(settings.operatorKey());
        if (configured.isPresent()) {
            apiKeys.ensureOperatorKey(configured.get(), true);
            log.info("operator key: from STRATUS_OPERATOR_KEY");
            return;
        }
        Path file = settings.dataDir().toAbsolutePath().normalize().resolve("operator.key");
        SecretFiles.Secret key = SecretFiles.readOrCreate(file, () -> Tokens.generate(ApiKeys.PREFIX));
        apiKeys.ensureOperatorKey(key.value(), false);
        if (key.created()) {
            // Never the key itself: logs are shipped and kept where secrets must not be. ./stratus up shows it once.
            log.info("operator key generated into {} (readable by this user only)", file);
        } else {
            log.info("operator key: in {}", file);
        }
    }
}
