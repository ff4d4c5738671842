package io.stratus.controlplane.databases;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/** What an {@code Idempotency-Key} was first used for: the request's hash and the database and operation it made. */
@Entity
@Table(name = "idempotency_keys")
class IdempotencyRecord implements Persistable<IdempotencyRecord.Key> {

    @EmbeddedId
    private Key id;
    @Column(name = "request_hash")
    private String requestHash;
    @Column(name = "database_id")
    private UUID databaseId;
    @Column(name = "operation_id")
    private UUID operationId;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "last_issued_at")
    private Instant lastIssuedAt;

    protected IdempotencyRecord() {
    }

    IdempotencyRecord(UUID tenantId, String key, String requestHash, UUID databaseId, UUID operationId, Instant now) {
        this.id = new Key(tenantId, key);
        this.requestHash = requestHash;
        this.databaseId = databaseId;
        this.operationId = operationId;
        this.createdAt = now;
        this.lastIssuedAt = now;
    }

    @Override
    public Key getId() {
        return id;
    }

    /** Only ever inserted: a concurrent first use of the same key must fail on the primary key, not merge. */
    @Override
    public boolean isNew() {
        return true;
    }

    String requestHash() { return requestHash; }
    UUID databaseId() { return databaseId; }
    UUID operationId() { return operationId; }
    Instant lastIssuedAt() { return lastIssuedAt; }

    /** A replay handed out a new password (written by dirty checking: the record is loaded, never re-inserted). */
    void reissued(Instant now) {
        this.lastIssuedAt = now;
    }

    @Embeddable
    record Key(@Column(name = "tenant_id") UUID tenantId, @Column(name = "key") String key) implements Serializable {
    }
}
