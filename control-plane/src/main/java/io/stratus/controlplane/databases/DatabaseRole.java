package io.stratus.controlplane.databases;

import io.stratus.controlplane.support.AbstractEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A tenant's login role in one database besides the owner: its name, SCRAM verifier and whether it only reads. */
@Entity
@Table(name = "database_roles")
class DatabaseRole extends AbstractEntity {

    @Column(name = "database_id")
    private UUID databaseId;
    private String name;
    private String verifier;
    @Column(name = "read_only")
    private boolean readOnly;
    @Column(name = "created_at")
    private Instant createdAt;

    protected DatabaseRole() {
    }

    DatabaseRole(UUID databaseId, String name, String verifier, boolean readOnly, Instant createdAt) {
        super(UUID.randomUUID());
        this.databaseId = databaseId;
        this.name = name;
        this.verifier = verifier;
        this.readOnly = readOnly;
        this.createdAt = createdAt;
    }

    UUID databaseId() { return databaseId; }
    String name() { return name; }
    String verifier() { return verifier; }
    boolean readOnly() { return readOnly; }
    Instant createdAt() { return createdAt; }
}
