package io.stratus.controlplane.security;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.support.Tokens;
import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Duration;
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

    /**
     * A key as listed: never the secret. {@code lastUsedAt} is written at most about once a minute per key and control
     * plane, so it may lag by that much.
     */
    public record KeyView(UUID id, Role role, String prefix, Instant createdAt, Instant revokedAt, Instant expiresAt,
                          Instant lastUsedAt) {
    }

    /** Issues a key that works until revoked, or until {@code expiresAt} when given. */
    @Transactional
    public IssuedKey issue(UUID tenantId, Role role, Instant expiresAt) {
        String secret = Tokens.generate(PREFIX);
        ApiKey key = new ApiKey(tenantId, role, Tokens.hash(secret), Tokens.prefixOf(secret), clock.instant());
        if (expiresAt != null) {
            key.expireBy(expiresAt);
        }
        keys.save(key);
        return new IssuedKey(key.getId(), role, secret, key.createdAt());
    }

    /**
     * Rotates a tenant's key: a new key of the same role (and expiry) now, the old one still accepted for {@code grace}
     * (so the deployments holding it can switch over), then refused. Revocation remains the way to end it at once.
     */
    @Transactional
    public IssuedKey rotate(UUID tenantId, UUID keyId, Duration grace) {
        ApiKey old = keys.findByIdAndTenantId(keyId, tenantId).filter(k -> k.isUsableAt(clock.instant()))
                .orElseThrow(() -> ApiException.notFound("API key"));
        IssuedKey fresh = issue(tenantId, old.role(), old.expiresAt());
        old.expireBy(clock.instant().plus(grace));
        log.info("API key {}... rotated; it is refused from {}", old.keyPrefix(), old.expiresAt());
        return fresh;
    }

    /**
     * Stores the operator key the control plane starts with. A key given in configuration ({@code exclusive}) becomes
     * the one active operator key: every other is revoked, so configuring a new key rotates it (a leaked key stops
     * working when the new one is deployed), and a revoked key is refused rather than brought back, so that an
     * instance started with an old configuration cannot undo a rotation. A key generated into a control plane's data
     * directory revokes nothing: several control planes may share one metadata database, each with its own file.
     * Control planes starting at once are serialized by a transaction-scoped advisory lock.
     *
     * @throws IllegalStateException when the key was revoked, or is some tenant's key
     */
    @Transactional
    public void ensureOperatorKey(String secret, boolean exclusive) {
        keys.lockOperatorKeys();
        byte[] hash = Tokens.hash(secret);
        Instant now = clock.instant();
        ApiKey current = keys.findByKeyHash(hash)
                .orElseGet(() -> keys.save(new ApiKey(null, Role.OPERATOR, hash, Tokens.prefixOf(secret), now)));
        if (current.role() != Role.OPERATOR) {
            throw new IllegalStateException("the operator key (STRATUS_OPERATOR_KEY) is a tenant's API key");
        }
        if (!current.isActive()) {
            throw new IllegalStateException("the operator key (STRATUS_OPERATOR_KEY, " + current.keyPrefix()
                    + "...) was revoked at " + current.revokedAt() + " when another one was configured: configure the"
                    + " current key, or a new one");
        }
        if (!exclusive) {
            return;
        }
        for (ApiKey other : keys.findByRoleAndRevokedAtIsNull(Role.OPERATOR)) {
            if (!other.getId().equals(current.getId())) {
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
        Instant now = clock.instant();
        return keys.findByKeyHash(Tokens.hash(secret)).filter(k -> k.isUsableAt(now))
                .map(k -> new Caller(k.getId(), k.role(), k.tenantId()));
    }

    /** Revokes every key of the tenant, in the caller's transaction (the tenant is being deleted). */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public void revokeAll(UUID tenantId) {
        Instant now = clock.instant();
        keys.findByTenantIdOrderByCreatedAt(tenantId).forEach(k -> k.revoke(now));
    }

    @Transactional(readOnly = true)
    public List<KeyView> list(UUID tenantId) {
        return keys.findByTenantIdOrderByCreatedAt(tenantId).stream()
                .map(k -> new KeyView(k.getId(), k.role(), k.keyPrefix(), k.createdAt(), k.revokedAt(), k.expiresAt(),
                        k.lastUsedAt())).toList();
    }

    @Transactional
    public void revoke(UUID tenantId, UUID keyId) {
        ApiKey key = keys.findByIdAndTenantId(keyId, tenantId).orElseThrow(() -> ApiException.notFound("API key"));
        key.revoke(clock.instant());
    }
}
