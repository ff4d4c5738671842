package io.stratus.controlplane.billing;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestValidation;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/plans} (operator) and a tenant's plan: {@code /v1/tenants/{id}/plan}. */
@RestController
class PlanController {

    private final PricePlans plans;
    private final TenantDirectory tenants;
    private final RequestValidation validation;

    PlanController(PricePlans plans, TenantDirectory tenants, RequestValidation validation) {
        this.plans = plans;
        this.tenants = tenants;
        this.validation = validation;
    }

    record AssignPlanRequest(UUID planId) {
    }

    @PostMapping("/v1/admin/plans")
    @OperatorOnly
    @ResponseStatus(HttpStatus.CREATED)
    PricePlan create(@RequestBody PlanRequests.CreatePlanRequest request) {
        return plans.create(PlanRequests.validate(request, validation));
    }

    @GetMapping("/v1/admin/plans")
    @OperatorOnly
    List<PricePlan> list() {
        return plans.list();
    }

    @GetMapping("/v1/admin/plans/{planId}")
    @OperatorOnly
    PricePlan get(@PathVariable UUID planId) {
        return plans.find(planId).orElseThrow(() -> ApiException.notFound("plan"));
    }

    @PutMapping("/v1/tenants/{tenantId}/plan")
    @OperatorOnly
    PricePlans.TenantPlan assign(@PathVariable UUID tenantId, @RequestBody AssignPlanRequest request) {
        tenants.find(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        if (request.planId() == null) {
            throw ApiException.invalid("planId", "is required");
        }
        return plans.assign(tenantId, request.planId());
    }

    /** The tenant's own keys may see which plan they are on; other tenants' ids answer 404. */
    @GetMapping("/v1/tenants/{tenantId}/plan")
    PricePlans.TenantPlan current(Caller caller, @PathVariable UUID tenantId) {
        tenants.visibleTo(caller, tenantId);
        return plans.currentPlan(tenantId);
    }
}
