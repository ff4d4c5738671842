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
}
