package io.stratus.controlplane.console;

import io.stratus.controlplane.billing.BillingOverview;
import io.stratus.controlplane.billing.PricePlan;
import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.metering.Granularity;
import io.stratus.controlplane.metering.UsageQueries;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Tenants: the list with what each spends this month, creation, and a tenant's plan, databases, usage and invoice. */
@Controller
@Hidden
class TenantPages {

    private final TenantDirectory tenants;
    private final DatabaseProvisioning databases;
    private final BillingOverview billing;
    private final UsageQueries usage;
    private final ConsoleAudit audit;
    private final ConsoleFormat format;

    TenantPages(TenantDirectory tenants, DatabaseProvisioning databases, BillingOverview billing, UsageQueries usage,
                ConsoleAudit audit, ConsoleFormat format) {
        this.format = format;
        this.tenants = tenants;
        this.databases = databases;
        this.billing = billing;
        this.usage = usage;
        this.audit = audit;
    }

    /** A tenant's row: its live databases, plan and invoice so far (empty without a plan). */
    record TenantRow(TenantDirectory.TenantView tenant, long databases, String plan,
                     Optional<BillingOverview.MonthInvoice> invoice) {
    }

    @GetMapping("/console/tenants")
    String list(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page, Model model) {
        listModel(q, page, model);
        return "console/tenants";
    }

    private void listModel(String q, int page, Model model) {
        String needle = q.strip().toLowerCase(Locale.ROOT);
        List<TenantDirectory.TenantView> matching = tenants.list().stream()
                .filter(t -> needle.isEmpty() || t.name().contains(needle))
                .sorted((a, b) -> b.createdAt().compareTo(a.createdAt()))
                .toList();
        int p = Math.max(0, page);
        List<TenantRow> rows = matching.stream().skip((long) p * FleetPages.PAGE_SIZE).limit(FleetPages.PAGE_SIZE)
                .map(t -> new TenantRow(t, databases.listAll(DatabaseProvisioning.Filter.tenant(t.id()), 0, 1).total(),
                        billing.planOf(t.id()).map(PricePlan::name).orElse(null), billing.invoiceSoFar(t.id())))
                .toList();
        model.addAttribute("q", q);
        model.addAttribute("tenants", rows);
        model.addAttribute("pages", Pages.of(p, FleetPages.PAGE_SIZE, matching.size()));
        model.addAttribute("month", billing.currentMonth().toString());
    }

    @PostMapping("/console/tenants")
    String create(@AuthenticationPrincipal ConsoleOperator operator, @RequestParam(defaultValue = "") String name,
                  HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        String wanted = name.strip();
        try {
            TenantDirectory.TenantView created = audit.run(operator, request, "POST /v1/tenants", null, () -> {
                if (!TenantDirectory.NAME.matcher(wanted).matches()) {
                    throw ApiException.invalid("name", "a lower-case letter, then up to 62 lower-case letters, digits,"
                            + " '_' or '-'");
                }
                TenantDirectory.TenantView t = tenants.create(wanted);
                return new ConsoleAudit.Done<>(t, t.id().toString(), 201);
            });
            redirect.addFlashAttribute("notice", "Tenant " + created.name() + " created.");
            return "redirect:/console/tenants/" + created.id();
        } catch (ApiException e) {
            response.setStatus(e.status().value());
            listModel("", 0, model);
            model.addAttribute("createError", e.errors().isEmpty() ? e.getMessage()
                    : e.errors().get(0).field() + ": " + e.errors().get(0).reason());
            model.addAttribute("newName", wanted);
            return "console/tenants";
        }
    }

    @GetMapping("/console/tenants/{id}")
    String tenant(@PathVariable UUID id, Model model) {
        TenantDirectory.TenantView tenant = tenants.find(id).orElseThrow(() -> ApiException.notFound("tenant"));
        model.addAttribute("tenant", tenant);
        model.addAttribute("plan", billing.planOf(id).orElse(null));
        model.addAttribute("plans", billing.plans());
        model.addAttribute("invoice", billing.invoiceSoFar(id).orElse(null));
        model.addAttribute("databases", databases.listAll(DatabaseProvisioning.Filter.tenant(id), 0, 100));
        model.addAttribute("month", billing.currentMonth().toString());
        List<UsageQueries.Bucket> days = monthToDate(id);
        model.addAttribute("usage", days);
        model.addAttribute("usageChartJson", format.json(UsageChart.daily(days)));
        return "console/tenant";
    }

    @PostMapping("/console/tenants/{id}/plan")
    String assignPlan(@AuthenticationPrincipal ConsoleOperator operator, @PathVariable UUID id,
                      @RequestParam(required = false) UUID planId, HttpServletRequest request,
                      RedirectAttributes redirect) {
        audit.run(operator, request, "PUT /v1/tenants/{tenantId}/plan", id, () -> {
            tenants.find(id).orElseThrow(() -> ApiException.notFound("tenant"));
            if (planId == null) {
                throw ApiException.invalid("planId", "is required");
            }
            billing.assignPlan(id, planId);
            return new ConsoleAudit.Done<>(null, id.toString(), 200);
        });
        redirect.addFlashAttribute("notice", "Plan assigned.");
        return "redirect:/console/tenants/" + id;
    }

    /** The tenant's usage this month, by UTC day. */
    List<UsageQueries.Bucket> monthToDate(UUID tenantId) {
        var month = billing.currentMonth();
        Instant from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        return usage.series(tenantId, null, Granularity.DAY, from, to);
    }

    static BigDecimal cuHours(BigDecimal cuSeconds) {
        return cuSeconds.divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_UP);
    }
}
