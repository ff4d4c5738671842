package io.stratus.controlplane.security;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.support.Tokens;
import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Issues, authenticates and revokes API keys. A key's secret is returned once, at issue, and never stored. */
@Service
public class ApiKeys {

    static final String PREFIX = StratusSettings.API_KEY_PREFIX;
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private final ApiKeyRepository keys;
    private final Clock clock;

    ApiKeys(ApiKeyRepository keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** A newly issued key; {@code key} is the secret, shown only now. */
    public record IssuedKey(UUID id, Role role, String key, Instant createdAt) {
    }

    /** A key as listed: never the secret. */
    public record KeyView(UUID id, Role role, String prefix, Instant createdAt, Instant revokedAt) {
    }

    @Transactional
    public IssuedKey issue(UUID tenantId, Role role) {
        String secret = Tokens.generate(PREFIX);
        ApiKey key = keys.save(new ApiKey(tenantId, role, Tokens.hash(secret), Tokens.prefixOf(secret), clock.instant()));
        return new IssuedKey(key.getId(), role, secret, key.createdAt());
    }

    /**
     * Makes the configured operator key the one active operator key: stored once, and every other operator key revoked,
     * so that configuring a new key rotates it (a leaked key stops working when the new one is deployed). A key that
     * was revoked is refused rather than brought back: an instance started with an old configuration must not undo a
     * rotation. Operator keys come from configuration only (the API issues tenant keys).
     *
     * @throws IllegalStateException when the configured key was revoked, or is some tenant's key
     */
    @Transactional
    public void ensureOperatorKey(String secret) {
        byte[] hash = Tokens.hash(secret);
        Instant now = clock.instant();
        ApiKey configured = keys.findByKeyHash(hash)
                .orElseGet(() -> keys.saveAndFlush(new ApiKey(null, Role.OPERATOR, hash, Tokens.prefixOf(secret), now)));
        if (configured.role() != Role.OPERATOR) {
            throw new IllegalStateException("the configured operator key (STRATUS_OPERATOR_KEY) is a tenant's API key");
        }
        if (!configured.isActive()) {
            throw new IllegalStateException("the configured operator key (STRATUS_OPERATOR_KEY, " + configured.keyPrefix()
                    + "...) was revoked at " + configured.revokedAt() + " when another one was configured: configure the"
                    + " current key, or a new one");
        }
        for (ApiKey other : keys.findByRoleAndRevokedAtIsNull(Role.OPERATOR)) {
            if (!other.getId().equals(configured.getId())) {
                other.revoke(now);
                log.info("operator key {}... revoked: another one is configured", other.keyPrefix());
            }
        }
    }

    @Transactional(readOnly = true)
    public Optional<Caller> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return keys.findByKeyHash(Tokens.hash(secret)).filter(ApiKey::isActive)
                .map(k -> new Caller(k.getId(), k.role(), k.tenantId()));
    }

    @Transactional(readOnly = true)
    public List<KeyView> list(UUID tenantId) {
        return keys.findByTenantIdOrderByCreatedAt(tenantId).stream()
                .map(k -> new KeyView(k.getId(), k.role(), k.keyPrefix(), k.createdAt(), k.revokedAt())).toList();
    }

    @Transactional
    public void revoke(UUID tenantId, UUID keyId) {
        ApiKey key = keys.findByIdAndTenantId(keyId, tenantId).orElseThrow(() -> ApiException.notFound("API key"));
        key.revoke(clock.instant());
    }
}
