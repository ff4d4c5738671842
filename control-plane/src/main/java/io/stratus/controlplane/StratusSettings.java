package io.stratus.controlplane;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Control-plane settings; each also reads from the environment ({@code STRATUS_DATA_DIR}, {@code STRATUS_OPERATOR_KEY},
 * {@code STRATUS_AGENT_BOOTSTRAP_TOKEN}, ...).
 *
 * @param dataDir             where the embedded metadata database, the operator key and the bootstrap token live
 * @param operatorKey         the operator's API key; generated on first start when empty
 * @param agentBootstrapToken token agents register with; generated on first start when empty
 * @param maxCu               the largest CU a database may ask for in this fleet
 * @param cuStep              CU granularity
 * @param defaultRelease      Postgres major version for new databases
 * @param maxDatabasesPerTenant default quota for new tenants
 * @param operationTimeout    an operation not observed done by then fails
 * @param nodeHeartbeatTimeout a node silent for longer is NOT_READY
 * @param maxRequestBytes     largest request body accepted
 */
@ConfigurationProperties("stratus")
public record StratusSettings(
        @DefaultValue("./.stratus") Path dataDir,
        String operatorKey,
        String agentBootstrapToken,
        @DefaultValue("8") BigDecimal maxCu,
        @DefaultValue("0.25") BigDecimal cuStep,
        @DefaultValue("15") String defaultRelease,
        @DefaultValue("20") int maxDatabasesPerTenant,
        @DefaultValue("10m") Duration operationTimeout,
        @DefaultValue("30s") Duration nodeHeartbeatTimeout,
        @DefaultValue("65536") int maxRequestBytes) {

    /** Prefix of every API key; nothing else is ever accepted as one. */
    public static final String API_KEY_PREFIX = "stk_";
    private static final int MIN_SECRET_LENGTH = 20;

    /**
     * A configured credential that could never work, or could work as the other kind, stops the start: an operator key
     * without the API-key prefix would be stored but never let anyone in, and a bootstrap token that looks like an
     * API key would make agent and API credentials interchangeable.
     */
    public StratusSettings {
        if (operatorKey != null && !operatorKey.isBlank()) {
            operatorKey = operatorKey.trim();
            if (!operatorKey.startsWith(API_KEY_PREFIX) || operatorKey.length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("stratus.operator-key (STRATUS_OPERATOR_KEY) must start with "
                        + API_KEY_PREFIX + " and be at least " + MIN_SECRET_LENGTH + " characters long");
            }
        }
        if (agentBootstrapToken != null && !agentBootstrapToken.isBlank()) {
            agentBootstrapToken = agentBootstrapToken.trim();
            if (agentBootstrapToken.startsWith(API_KEY_PREFIX) || agentBootstrapToken.length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("stratus.agent-bootstrap-token (STRATUS_AGENT_BOOTSTRAP_TOKEN) must "
                        + "be at least " + MIN_SECRET_LENGTH + " characters long and must not start with "
                        + API_KEY_PREFIX + ", the prefix of API keys");
            }
        }
    }
}
