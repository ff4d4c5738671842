package io.stratus.controlplane.console;

import io.stratus.controlplane.audit.AuditLog;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Runs a console change as the API action it is and records it in the audit log as the API would have: the same
 * action ({@code POST /v1/tenants}), target and status, under the signed-in operator's identity, refused attempts
 * included. A console change is therefore found with the same {@code GET /v1/audit-events?action=...} query.
 */
@Component
class ConsoleAudit {

    private final AuditLog audit;

    ConsoleAudit(AuditLog audit) {
        this.audit = audit;
    }

    /** What a change made: its target id (the route's last id, or what it created) and the API's status for it. */
    record Done<T>(T result, String targetId, int status) {
    }

    <T> T run(ConsoleOperator operator, HttpServletRequest request, String action, UUID tenantId,
              Supplier<Done<T>> change) {
        try {
            Done<T> done = change.get();
            audit.record(operator.name(), operator.keyId(), tenantId, action, done.targetId(), done.status(),
                    RequestIds.of(request));
            return done.result();
        } catch (ApiException e) {
            audit.record(operator.name(), operator.keyId(), tenantId, action, tenantId == null ? null : tenantId.toString(),
                    e.status().value(), RequestIds.of(request));
            throw e;
        }
    }
}
