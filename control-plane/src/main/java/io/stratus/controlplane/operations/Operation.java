package io.stratus.controlplane.operations;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A change a user asked for, tracked until the data plane is observed to have made it. */
@Entity
@Table(name = "operations")
class Operation extends AbstractEntity {

    @Column(name = "tenant_id")
    private UUID tenantId;
    @Column(name = "database_id")
    private UUID databaseId;
    @Enumerated(EnumType.STRING)
    private OperationType type;
    @Enumerated(EnumType.STRING)
    private OperationState state;
    @Column(name = "target_spec_version")
    private Long targetSpecVersion;
    private String error;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "started_at")
    private Instant startedAt;
    @Column(name = "finished_at")
    private Instant finishedAt;

    protected Operation() {
    }

    Operation(UUID tenantId, UUID databaseId, OperationType type, OperationState state, Long targetSpecVersion, Instant now) {
        super(UUID.randomUUID());
        this.tenantId = tenantId;
        this.databaseId = databaseId;
        this.type = type;
        this.state = state;
        this.targetSpecVersion = targetSpecVersion;
        this.createdAt = now;
        if (state == OperationState.RUNNING) {
            this.startedAt = now;
        }
    }

    void start(Instant now) {
        if (state == OperationState.PENDING) {
            state = OperationState.RUNNING;
            startedAt = now;
        }
    }

    void succeed(Instant now) {
        if (state.isOpen()) {
            state = OperationState.SUCCEEDED;
            finishedAt = now;
        }
    }

    void fail(String reason, Instant now) {
        if (state.isOpen()) {
            state = OperationState.FAILED;
            error = reason;
            finishedAt = now;
        }
    }

    UUID tenantId() { return tenantId; }
    UUID databaseId() { return databaseId; }
    OperationType type() { return type; }
    OperationState state() { return state; }
    Long targetSpecVersion() { return targetSpecVersion; }
    String error() { return error; }
    Instant createdAt() { return createdAt; }
    Instant finishedAt() { return finishedAt; }
}
