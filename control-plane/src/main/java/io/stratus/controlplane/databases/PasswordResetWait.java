package io.stratus.controlplane.databases;

import io.stratus.controlplane.operations.Operations;
import io.stratus.controlplane.operations.Operations.OperationView;
import java.time.Duration;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Waits, bounded, for an operation to settle. */
@Component
class PasswordResetWait {

    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 50;

    private final Operations operations;

    PasswordResetWait(Operations operations) {
        this.operations = operations;
    }

    OperationView awaitSettled(UUID tenantId, UUID operationId) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        OperationView op = operations.find(tenantId, operationId);
        while (op.state().isOpen() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            op = operations.find(tenantId, operationId);
        }
        return op;
    }
}
