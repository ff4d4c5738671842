package io.stratus.controlplane.tenants;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** An organisation using the platform. */
@Entity
@Table(name = "tenants")
class Tenant extends AbstractEntity {

    private String name;
    private String state;
    @Column(name = "max_databases")
    private int maxDatabases;
    @Column(name = "max_total_cu")
    private BigDecimal maxTotalCu;
    @Column(name = "max_storage_bytes")
    private Long maxStorageBytes;
    @Column(name = "created_at")
    private Instant createdAt;

    protected Tenant() {
    }

    Tenant(String name, int maxDatabases, Instant createdAt) {
        super(UUID.randomUUID());
        this.name = name;
        this.state = "ACTIVE";
        this.maxDatabases = maxDatabases;
        this.createdAt = createdAt;
    }

    String name() {
        return name;
    }

    int maxDatabases() {
        return maxDatabases;
    }

    /** Null: no limit beyond the fleet's. */
    BigDecimal maxTotalCu() {
        return maxTotalCu == null ? null : maxTotalCu.stripTrailingZeros();
    }

    /** Null: none. The most its live databases may store together, held on disk by the agents (ADR 0018). */
    Long maxStorageBytes() {
        return maxStorageBytes;
    }

    void setQuotas(int databases, BigDecimal totalCu, Long storageBytes) {
        this.maxDatabases = databases;
        this.maxTotalCu = totalCu;
        this.maxStorageBytes = storageBytes;
    }

    Instant createdAt() {
        return createdAt;
    }

    /** Deleted: its keys revoked and its databases deleted with it; its usage and invoices stay. */
    void delete() {
        this.state = DELETED;
    }

    boolean deleted() {
        return DELETED.equals(state);
    }

    static final String DELETED = "DELETED";

    String state() {
        return state;
    }
}
