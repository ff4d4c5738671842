package io.stratus.controlplane.security;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An API key, kept only as the SHA-256 of its secret. */
@Entity
@Table(name = "api_keys")
class ApiKey extends AbstractEntity {

    @Column(name = "tenant_id")
    private UUID tenantId;
    @Enumerated(EnumType.STRING)
    private Role role;
    @Column(name = "key_hash")
    private byte[] keyHash;
    @Column(name = "key_prefix")
    private String keyPrefix;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "revoked_at")
    private Instant revokedAt;
    @Column(name = "expires_at")
    private Instant expiresAt;
    @Column(name = "last_used_at")
    private Instant lastUsedAt;

    protected ApiKey() {
    }

    ApiKey(UUID tenantId, Role role, byte[] keyHash, String keyPrefix, Instant createdAt) {
        super(UUID.randomUUID());
        this.tenantId = tenantId;
        this.role = role;
        this.keyHash = keyHash;
        this.keyPrefix = keyPrefix;
        this.createdAt = createdAt;
    }

    UUID tenantId() {
        return tenantId;
    }

    Role role() {
        return role;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant revokedAt() {
        return revokedAt;
    }

    Instant expiresAt() {
        return expiresAt;
    }

    Instant lastUsedAt() {
        return lastUsedAt;
    }

    /** Not revoked: it may still have expired (see {@link #isUsableAt}). */
    boolean isActive() {
        return revokedAt == null;
    }

    /** Neither revoked nor expired at {@code now}. */
    boolean isUsableAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** Expires at {@code at}, or keeps an earlier expiry it already has. */
    void expireBy(Instant at) {
        if (expiresAt == null || at.isBefore(expiresAt)) {
            expiresAt = at;
        }
    }

    void revoke(Instant at) {
        if (revokedAt == null) {
            revokedAt = at;
        }
    }
}
