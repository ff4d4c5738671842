package io.stratus.controlplane.support;

import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/**
 * Entities with application-assigned UUIDs. Telling Spring Data which ones are new saves a SELECT before every
 * INSERT (otherwise an assigned id makes {@code save} merge).
 */
@MappedSuperclass
public abstract class AbstractEntity implements Persistable<UUID> {

    @Id
    private UUID id;

    @Transient
    private boolean fresh = true;

    protected AbstractEntity() {
    }

    protected AbstractEntity(UUID id) {
        this.id = id;
    }

    @Override
    public UUID getId() {
        return id;
    }

    @Override
    public boolean isNew() {
        return fresh;
    }

    @PostLoad
    @PostPersist
    void markStored() {
        fresh = false;
    }
}
