package io.stratus.controlplane.agentapi;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.support.SecretFiles;
import io.stratus.controlplane.support.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The token agents register with: {@code STRATUS_AGENT_BOOTSTRAP_TOKEN}, or one generated on first start into
 * {@code $STRATUS_DATA_DIR/agent-bootstrap.token} (mode 0600) for local agents to read.
 */
@Component
class AgentBootstrapToken {

    private static final Logger log = LoggerFactory.getLogger(AgentBootstrapToken.class);

    private final byte[] token;

    AgentBootstrapToken(StratusSettings settings) {
        String value = SecretFiles.nonBlank(settings.agentBootstrapToken()).orElseGet(() -> {
            Path file = settings.dataDir().toAbsolutePath().normalize().resolve("agent-bootstrap.token");
            log.info("agent bootstrap token in {}", file);
            return SecretFiles.readOrCreate(file, () -> Tokens.generate("sbt_")).value();
        });
        this.token = value.getBytes(StandardCharsets.UTF_8);
    }

    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
