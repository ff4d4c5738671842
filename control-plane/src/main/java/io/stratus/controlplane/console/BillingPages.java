package io.stratus.controlplane.console;

import io.stratus.controlplane.billing.BillingOverview;
import io.stratus.controlplane.metering.UsageQueries;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.swagger.v3.oas.annotations.Hidden;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Billing: what each tenant has used and owes this month, a tenant's daily usage, and the billing exports. */
@Controller
@Hidden
class BillingPages {

    private final TenantDirectory tenants;
    private final BillingOverview billing;
    private final TenantPages tenantPages;
    private final ConsoleFormat format;
    private final Clock clock;

    BillingPages(TenantDirectory tenants, BillingOverview billing, TenantPages tenantPages, ConsoleFormat format,
                 Clock clock) {
        this.format = format;
        this.tenants = tenants;
        this.billing = billing;
        this.tenantPages = tenantPages;
        this.clock = clock;
    }

    /** A tenant's month to date: CU-hours, requests, the largest database size, and the invoice so far. */
    record Spend(TenantDirectory.TenantView tenant, BigDecimal cuHours, long requests, long storageBytesMax,
                 Optional<BillingOverview.MonthInvoice> invoice) {
    }

    @GetMapping("/console/billing")
    String billing(@RequestParam(required = false) UUID tenant, @RequestParam(defaultValue = "7") int days,
                   @RequestParam(defaultValue = "0") int page, Model model) {
        List<TenantDirectory.TenantView> all = tenants.list();
        int p = Math.max(0, page);
        model.addAttribute("pages", Pages.of(p, FleetPages.PAGE_SIZE, all.size()));
        List<Spend> spend = all.stream().skip((long) p * FleetPages.PAGE_SIZE).limit(FleetPages.PAGE_SIZE).map(t -> {
            List<UsageQueries.Bucket> month = tenantPages.monthToDate(t.id());
            return new Spend(t,
                    TenantPages.cuHours(month.stream().map(UsageQueries.Bucket::cuSeconds).reduce(BigDecimal.ZERO, BigDecimal::add)),
                    month.stream().mapToLong(UsageQueries.Bucket::requests).sum(),
                    month.stream().mapToLong(UsageQueries.Bucket::storageBytesMax).max().orElse(0),
                    billing.invoiceSoFar(t.id()));
        }).toList();
        model.addAttribute("spend", spend);
        model.addAttribute("month", billing.currentMonth().toString());
        model.addAttribute("tenants", all);
        TenantDirectory.TenantView chosen = tenant == null ? null
                : all.stream().filter(t -> t.id().equals(tenant)).findFirst().orElse(null);
        if (chosen == null && !all.isEmpty()) {
            chosen = all.get(all.size() - 1);
        }
        model.addAttribute("chosen", chosen);
        if (chosen != null) {
            Map<String, Object> chart = UsageChart.daily(tenantPages.monthToDate(chosen.id()));
            model.addAttribute("usageChart", chart);
            model.addAttribute("usageChartJson", format.json(chart));
        }
        int range = days == 1 || days == 30 ? days : 7;
        Instant now = clock.instant();
        model.addAttribute("days", range);
        model.addAttribute("exports", billing.exports(now.minus(Duration.ofDays(range)), now.plusSeconds(1), 500));
        return "console/billing";
    }
}
