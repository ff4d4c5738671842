package io.stratus.controlplane.billing;

import io.stratus.controlplane.billing.InvoiceCalculator.Invoice;
import io.stratus.controlplane.billing.InvoiceCalculator.MonthUsage;
import io.stratus.controlplane.billing.InvoiceCalculator.Status;
import io.stratus.controlplane.metering.UsageQueries;
import io.stratus.controlplane.web.ApiException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * A tenant's invoices, computed on read from metering's hourly roll-ups and the plan in effect: nothing is stored, so
 * an invoice is always consistent with the usage API. A month is priced by the plan the tenant was on when the month
 * ended (for the running month: its current plan); usage from before the first assignment is priced by the first plan.
 */
@Service
class Invoices {

    private final UsageQueries usage;
    private final PricePlans plans;
    private final Clock clock;

    Invoices(UsageQueries usage, PricePlans plans, Clock clock) {
        this.usage = usage;
        this.plans = plans;
        this.clock = clock;
    }

    /** One month in the invoice list. */
    record InvoiceSummary(String period, Status status, String currency, BigDecimal total) {
    }

    /** The invoice of {@code month}; 404 for a month that has not started, 409 for a tenant that has no plan. */
    Invoice invoice(UUID tenantId, YearMonth month) {
        Instant now = clock.instant();
        if (month.isAfter(monthOf(now))) {
            throw ApiException.notFound("invoice");
        }
        List<PricePlans.Assignment> history = requirePlan(tenantId);
        MonthUsage used = usage.monthlyForTenant(tenantId, start(month), start(month.plusMonths(1))).stream()
                .findFirst().map(Invoices::usageOf).orElse(MonthUsage.NONE);
        return price(tenantId, month, used, history, now, new HashMap<>());
    }

    /** Every month with usage, and the running month, newest first. */
    List<InvoiceSummary> list(UUID tenantId) {
        Instant now = clock.instant();
        List<PricePlans.Assignment> history = requirePlan(tenantId);
        YearMonth current = monthOf(now);
        Map<YearMonth, MonthUsage> months = new TreeMap<>(Comparator.reverseOrder());
        months.put(current, MonthUsage.NONE);
        for (UsageQueries.Bucket b : usage.monthlyForTenant(tenantId, Instant.EPOCH, start(current.plusMonths(1)))) {
            months.put(monthOf(b.start()), usageOf(b));
        }
        // A tenant changes plans rarely: look each up once, not once per month.
        Map<UUID, PricePlan> planById = new HashMap<>();
        List<InvoiceSummary> out = new ArrayList<>();
        months.forEach((month, used) -> {
            Invoice i = price(tenantId, month, used, history, now, planById);
            out.add(new InvoiceSummary(i.period(), i.status(), i.currency(), i.total()));
        });
        return out;
    }

    private Invoice price(UUID tenantId, YearMonth month, MonthUsage used, List<PricePlans.Assignment> history, Instant now,
                          Map<UUID, PricePlan> planById) {
        Instant end = start(month.plusMonths(1));
        Status status = end.isAfter(now) ? Status.OPEN : Status.CLOSED;
        PricePlan plan = planById.computeIfAbsent(planAt(history, end), id -> plans.find(id).orElseThrow());
        return InvoiceCalculator.invoice(tenantId, month, status, plan, used);
    }

    /** The last assignment made before {@code end}, else the first one. */
    static UUID planAt(List<PricePlans.Assignment> history, Instant end) {
        UUID plan = history.get(0).planId();
        for (PricePlans.Assignment a : history) {
            if (a.assignedAt().isBefore(end)) {
                plan = a.planId();
            }
        }
        return plan;
    }

    private List<PricePlans.Assignment> requirePlan(UUID tenantId) {
        List<PricePlans.Assignment> history = plans.history(tenantId);
        if (history.isEmpty()) {
            throw new ApiException(HttpStatus.CONFLICT, "no-plan", "No plan assigned",
                    "the tenant has no price plan yet; the operator assigns one with PUT /v1/tenants/{id}/plan", List.of());
        }
        return history;
    }

    private static MonthUsage usageOf(UsageQueries.Bucket month) {
        return MonthUsage.NONE.plus(month.requests(), month.cuSeconds(), month.storageByteSeconds(), month.egressBytes(),
                month.backupByteSeconds());
    }

    static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    static YearMonth monthOf(Instant instant) {
        return YearMonth.from(instant.atOffset(ZoneOffset.UTC));
    }
}
