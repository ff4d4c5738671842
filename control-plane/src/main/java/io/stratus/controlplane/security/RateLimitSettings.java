package io.stratus.controlplane.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Request rate limits on {@code /v1}, {@code stratus.rate-limits.*}: a token bucket per API key and one per tenant
 * (all its keys together). The operator's key is not limited. Each control-plane replica keeps its own buckets and
 * enforces its share: the limits divided by {@code replicas} (set it to the replica count; a load balancer spreading
 * requests evenly then holds a client to the configured limit overall).
 *
 * @param enabled         off: no limit, no headers
 * @param keyPerSecond    requests a key may make per second, sustained
 * @param keyBurst        requests a key may make at once after a quiet spell
 * @param tenantPerSecond requests a tenant's keys may make per second together
 * @param tenantBurst     and at once
 * @param replicas        control-plane replicas sharing the limits
 * @param keyConcurrency  requests of one key this replica serves at once (a slow body holds a servlet thread; more
 *                        at once are 429, so that one client cannot hold them all)
 * @param tenantConcurrency requests of one tenant's keys this replica serves at once
 */
@ConfigurationProperties("stratus.rate-limits")
public record RateLimitSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("50") int keyPerSecond,
        @DefaultValue("100") int keyBurst,
        @DefaultValue("100") int tenantPerSecond,
        @DefaultValue("200") int tenantBurst,
        @DefaultValue("1") int replicas,
        @DefaultValue("32") int keyConcurrency,
        @DefaultValue("64") int tenantConcurrency) {

    public RateLimitSettings {
        if (keyPerSecond < 1 || keyBurst < 1 || tenantPerSecond < 1 || tenantBurst < 1 || replicas < 1
                || keyConcurrency < 1 || tenantConcurrency < 1) {
            throw new IllegalArgumentException("stratus.rate-limits.* must be 1 or more");
        }
    }
}
