package io.stratus.controlplane.operations;

import io.stratus.controlplane.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Operations: every change a user asks for, pollable until it is observed done. The entry point of the operations
 * feature; other features open and settle operations in their own transactions.
 */
@Service
public class Operations {

    private static final Set<OperationState> OPEN = Set.of(OperationState.PENDING, OperationState.RUNNING);

    private final OperationRepository operations;
    private final Clock clock;

    Operations(OperationRepository operations, Clock clock) {
        this.operations = operations;
        this.clock = clock;
    }

    /** An operation as the API shows it. */
    public record OperationView(UUID id, OperationType type, OperationState state, UUID databaseId, String error,
                                Instant createdAt, Instant finishedAt) {
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public OperationView open(UUID tenantId, UUID databaseId, OperationType type, boolean placed, long targetSpecVersion) {
        // Flushed at once: a feature's own SQL may refer to it in the same transaction (a task row's foreign key).
        Operation op = operations.saveAndFlush(new Operation(tenantId, databaseId, type,
                placed ? OperationState.RUNNING : OperationState.PENDING, targetSpecVersion, clock.instant()));
        return view(op);
    }

    /** Open operations of a database move to RUNNING once it has a node. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void started(UUID databaseId) {
        operations.findByDatabaseIdAndStateIn(databaseId, OPEN).forEach(o -> o.start(clock.instant()));
    }

    /**
     * Settles the database's open operations of the given types whose target the agent has now observed.
     *
     * @param observedSpecVersion the spec version the agent reports applied
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void observed(UUID databaseId, Set<OperationType> types, long observedSpecVersion) {
        for (Operation o : operations.findByDatabaseIdAndStateIn(databaseId, OPEN)) {
            if (types.contains(o.type()) && (o.targetSpecVersion() == null || o.targetSpecVersion() <= observedSpecVersion)) {
                o.succeed(clock.instant());
            }
        }
    }

    /** Fails every open operation of the database, e.g. superseded by a delete. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void failOpen(UUID databaseId, Set<OperationType> types, String reason) {
        for (Operation o : operations.findByDatabaseIdAndStateIn(databaseId, OPEN)) {
            if (types.contains(o.type())) {
                o.fail(reason, clock.instant());
            }
        }
    }

    /** Operations still open after {@code before}: the caller decides what their failure means. */
    @Transactional(readOnly = true)
    public List<OperationView> openSince(Instant before) {
        return operations.findByStateInAndCreatedAtBefore(OPEN, before).stream().map(Operations::view).toList();
    }

    /** Succeeds an open operation whose work is done (a task's); a closed one stays as it is. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void succeed(UUID operationId) {
        operations.findById(operationId).ifPresent(o -> o.succeed(clock.instant()));
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void fail(UUID operationId, String reason) {
        operations.findById(operationId).ifPresent(o -> o.fail(reason, clock.instant()));
    }

    @Transactional(readOnly = true)
    public OperationView find(UUID tenantId, UUID id) {
        return operations.findByIdAndTenantId(id, tenantId).map(Operations::view)
                .orElseThrow(() -> ApiException.notFound("operation"));
    }

    /** The newest operation of a type on a database. */
    @Transactional(propagation = Propagation.MANDATORY)
    public java.util.Optional<OperationView> latest(UUID databaseId, OperationType type) {
        return operations.findFirstByDatabaseIdAndTypeOrderByCreatedAtDesc(databaseId, type).map(Operations::view);
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public OperationView get(UUID id) {
        return operations.findById(id).map(Operations::view).orElseThrow(() -> ApiException.notFound("operation"));
    }

    /** A page of operations, newest first. */
    public record OperationPage(List<OperationView> items, int page, int size, long total) {
    }

    /**
     * Every tenant's operations, newest first, for the operator: all of them, or those in {@code states} when it is
     * not empty, or one database's when {@code databaseId} is given.
     */
    @Transactional(readOnly = true)
    public OperationPage list(Set<OperationState> states, UUID databaseId, int page, int size) {
        var pageable = org.springframework.data.domain.PageRequest.of(page, size,
                org.springframework.data.domain.Sort.by(org.springframework.data.domain.Sort.Order.desc("createdAt"),
                        org.springframework.data.domain.Sort.Order.desc("id")));
        var result = databaseId != null ? operations.findByDatabaseId(databaseId, pageable)
                : states.isEmpty() ? operations.findAll(pageable)
                : operations.findByStateIn(states, pageable);
        return new OperationPage(result.map(Operations::view).getContent(), page, size, result.getTotalElements());
    }

    static OperationView view(Operation o) {
        return new OperationView(o.getId(), o.type(), o.state(), o.databaseId(), o.error(), o.createdAt(), o.finishedAt());
    }
}
