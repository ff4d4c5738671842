package io.stratus.controlplane.billing;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestExample;
import io.stratus.controlplane.web.RequestValidation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/plans} (operator) and a tenant's plan: {@code /v1/tenants/{id}/plan}. */
@RestController
@Tag(name = "Plans", description = "Immutable price plans (operator) and the plan each tenant is on.")
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
    @Operation(operationId = "createPlan", summary = "Create a price plan", description = """
            Creates a price plan; plans are immutable: to change prices, create a new plan and move tenants to it. \
            Every field is required except `pricePerGbMonthBackup` and `freeBackupGbMonths` (backup storage: base \
            backups and archived WAL in the backup store), which are 0 when left out. `name`: 1 to 63 letters, digits, `.`, `_`, `-` and single spaces between them, \
            starting with a letter or digit, unique ignoring case. `currency`: an upper-case ISO 4217 code with a \
            minor unit. Prices and allowances: decimals >= 0 with at most 6 decimals, read exactly from the JSON \
            text; `freeRequests` a whole number. Answers 201 with the plan. Operator key only.""")
    @ApiResponse(responseCode = "409", description = "`plan-exists`: a plan has the name (ignoring case).")
    @RequestExample("""
            {"name": "standard-2026", "currency": "USD", "pricePerMillionRequests": 0.20, "pricePerCuHour": 0.125,
             "pricePerGbMonth": 0.35, "pricePerGbEgress": 0.09, "freeRequests": 1000000, "freeCuHours": 0.5,
             "freeGbMonths": 5, "freeEgressGb": 1, "pricePerGbMonthBackup": 0.1, "freeBackupGbMonths": 2}""")
    PricePlan create(@RequestBody PlanRequests.CreatePlanRequest request) {
        return plans.create(PlanRequests.validate(request, validation));
    }

    @GetMapping("/v1/admin/plans")
    @OperatorOnly
    @Operation(operationId = "listPlans", summary = "List price plans", description = """
            Every price plan with its prices and free allowances, oldest first. Operator key only.""")
    List<PricePlan> list() {
        return plans.list();
    }

    @GetMapping("/v1/admin/plans/{planId}")
    @OperatorOnly
    @Operation(operationId = "getPlan", summary = "Get a price plan", description = """
            One price plan with its prices and free allowances. Operator key only.""")
    PricePlan get(@PathVariable UUID planId) {
        return plans.find(planId).orElseThrow(() -> ApiException.notFound("plan"));
    }

    @DeleteMapping("/v1/admin/plans/{planId}")
    @OperatorOnly
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deletePlan", summary = "Delete a price plan", description = """
            Deletes a plan that no tenant is or ever was on (a mistake, say). A plan that priced any tenant's usage \
            is kept, so that every invoice names the prices it was computed with: 409 `plan-in-use`. Operator key \
            only.""")
    @ApiResponse(responseCode = "204", description = "Deleted.")
    @ApiResponse(responseCode = "409", description = "`plan-in-use`: a tenant is or was on the plan.")
    void delete(@PathVariable UUID planId) {
        if (!plans.delete(planId)) {
            throw ApiException.notFound("plan");
        }
    }

    @PutMapping("/v1/tenants/{tenantId}/plan")
    @OperatorOnly
    @Operation(operationId = "assignPlan", summary = "Assign a tenant's plan", description = """
            Moves the tenant to a price plan and answers `{tenantId, plan, assignedAt}`. A month is priced by the plan \
            the tenant was on when it ended, so the running month is re-priced from its start and ended months are \
            left alone. Re-assigning the current plan changes nothing. An unknown plan is 400 (`planId`). Operator \
            key only.""")
    @RequestExample("""
            {"planId": "0b9e5a52-6c1f-4f53-9a43-2f2d8c1e7a10"}""")
    PricePlans.TenantPlan assign(@PathVariable UUID tenantId, @RequestBody AssignPlanRequest request) {
        tenants.find(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        if (request.planId() == null) {
            throw ApiException.invalid("planId", "is required");
        }
        return plans.assign(tenantId, request.planId());
    }

    /** The tenant's own keys may see which plan they are on; other tenants' ids answer 404. */
    @GetMapping("/v1/tenants/{tenantId}/plan")
    @Operation(operationId = "getTenantPlan", summary = "Get a tenant's plan", description = """
            The plan the tenant is on and since when: `{tenantId, plan, assignedAt}`, `plan` null before the first \
            assignment. The operator key or any key of the tenant.""")
    PricePlans.TenantPlan current(Caller caller, @PathVariable UUID tenantId) {
        tenants.visibleTo(caller, tenantId);
        return plans.currentPlan(tenantId);
    }
}
