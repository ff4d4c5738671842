package io.stratus.controlplane.audit;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/audit-events}: a tenant's keys see the tenant's events, the operator every event (or one tenant's
 * with {@code tenantId}); filtered by time, action and target, newest first, paginated.
 */
@RestController
@Tag(name = "Audit", description = "Every change request on /v1, allowed or refused after authentication.")
class AuditController {

    private static final int MAX_PAGE_SIZE = 200;

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/v1/audit-events")
    @Operation(operationId = "listAuditEvents", summary = "List audit events", description = """
            Every change request on `/v1` (`POST`, `PUT`, `PATCH`, `DELETE`), allowed or refused after \
            authentication, newest first and a page at a time (`size` at most 200): who (`actor`, `keyId`), which \
            tenant, the action, its target, the status and the request id; never a body or a secret. Filtered by \
            time (`from`, `to`: ISO-8601 instants), `action` and `targetId`. A tenant's keys see the tenant's \
            events; the operator key sees all, or one tenant's with `tenantId` (a tenant key sending `tenantId` is a \
            400).""")
    AuditLog.Page list(Caller caller, @RequestParam(required = false) String from,
                       @RequestParam(required = false) String to, @RequestParam(required = false) String action,
                       @RequestParam(required = false) String targetId, @RequestParam(required = false) UUID tenantId,
                       @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        QueryParams.page(page, size, MAX_PAGE_SIZE, errors);
        if (tenantId != null && !caller.isOperator()) {
            errors.add(new ApiException.FieldError("tenantId", "only the operator chooses a tenant; a tenant's key sees its own"));
        }
        Instant start = QueryParams.instant("from", from, errors);
        Instant end = QueryParams.instant("to", to, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        UUID tenant = caller.isOperator() ? tenantId : caller.tenant();
        return audit.find(new AuditLog.Filter(tenant, start, end, action, targetId), page, size);
    }
}
