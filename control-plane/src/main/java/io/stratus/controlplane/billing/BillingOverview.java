package io.stratus.controlplane.billing;

import io.stratus.controlplane.web.ApiException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Billing as the operator's console reads it: plans, a tenant's plan and running invoice, the exports. The same
 * services and rules as the billing API ({@code /v1/admin/plans}, {@code /v1/tenants/{id}/invoices},
 * {@code /v1/admin/billing-exports}), in records of its own so the API's bodies stay package-private.
 */
@Service
public class BillingOverview {

    private final PricePlans plans;
    private final Invoices invoices;
    private final BillingExportRecords exports;
    private final Clock clock;

    BillingOverview(PricePlans plans, Invoices invoices, BillingExportRecords exports, Clock clock) {
        this.plans = plans;
        this.invoices = invoices;
        this.exports = exports;
        this.clock = clock;
    }

    /** One line of an invoice: a metric's quantity, what is free of it and what it costs. */
    public record InvoiceLine(String metric, BigDecimal quantity, String unit, BigDecimal unitPrice,
                              BigDecimal freeAllowance, BigDecimal amount) {
    }

    /** A month's invoice: {@code status} OPEN while the month runs (month to date), CLOSED after. */
    public record MonthInvoice(String period, String status, String currency, String planName, List<InvoiceLine> lines,
                               BigDecimal total) {
    }

    /** A billing export's outcome, with the row count and manifest checksum finance systems check against. */
    public record ExportSummary(String period, String granularity, Instant periodStart, String state, int runs,
                                Long rowCount, String manifestSha256, List<ExportedFile> files, String error,
                                Instant finishedAt) {
    }

    /** One file an export wrote, as its manifest lists it. */
    public record ExportedFile(String name, long rows, String sha256, long bytes) {
    }

    /** Every price plan, oldest first. */
    @Transactional(readOnly = true)
    public List<PricePlan> plans() {
        return plans.list();
    }

    /** The tenant's current plan, empty before its first assignment. */
    @Transactional(readOnly = true)
    public Optional<PricePlan> planOf(UUID tenantId) {
        return Optional.ofNullable(plans.currentPlan(tenantId).plan());
    }

    /** Moves the tenant to a plan ({@code PUT /v1/tenants/{id}/plan}); an unknown plan is a 400 on {@code planId}. */
    @Transactional
    public void assignPlan(UUID tenantId, UUID planId) {
        plans.assign(tenantId, planId);
    }

    /** The running month's invoice so far; empty for a tenant without a plan (which has no invoice). */
    @Transactional(readOnly = true)
    public Optional<MonthInvoice> invoiceSoFar(UUID tenantId) {
        try {
            InvoiceCalculator.Invoice i = invoices.invoice(tenantId, Invoices.monthOf(clock.instant()));
            return Optional.of(new MonthInvoice(i.period(), i.status().name(), i.currency(),
                    i.plan() == null ? null : i.plan().name(),
                    i.lines().stream().map(l -> new InvoiceLine(l.metric(), l.quantity(), l.unit(), l.unitPrice(),
                            l.freeAllowance(), l.amount())).toList(),
                    i.total()));
        } catch (ApiException e) {
            return Optional.empty();
        }
    }

    /** The current month: what "this month" means on every page (UTC). */
    public YearMonth currentMonth() {
        return Invoices.monthOf(clock.instant());
    }

    /** Exports whose period starts in [from, to), newest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<ExportSummary> exports(Instant from, Instant to, int limit) {
        return exports.list(from, to, limit).stream().map(e -> new ExportSummary(e.period(), e.granularity().name(),
                e.periodStart(), e.state(), e.runs(), e.rowCount(), e.manifestSha256(),
                e.files() == null ? List.of() : e.files().stream()
                        .map(f -> new ExportedFile(f.name(), f.rows(), f.sha256(), f.bytes())).toList(),
                e.error(), e.finishedAt())).toList();
    }
}
