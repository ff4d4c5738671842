package io.stratus.controlplane.security;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.support.Tokens;
import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Issues, authenticates and revokes API keys. A key's secret is returned once, at issue, and never stored. */
@Service
public class ApiKeys {

    static final String PREFIX = StratusSettings.API_KEY_PREFIX;

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

    /** Stores the operator key given in configuration (idempotent: the same key is stored once). */
    @Transactional
    public void ensureOperatorKey(String secret) {
        if (keys.findByKeyHash(Tokens.hash(secret)).isEmpty()) {
            keys.save(new ApiKey(null, Role.OPERATOR, Tokens.hash(secret), Tokens.prefixOf(secret), clock.instant()));
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
