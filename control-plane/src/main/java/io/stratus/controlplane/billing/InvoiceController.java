package io.stratus.controlplane.billing;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/tenants/{id}/invoices}: the operator and any key of the tenant (admin or read-only) may read them; another
 * tenant's id answers 404.
 */
@RestController
class InvoiceController {

    private static final Pattern PERIOD = Pattern.compile("^\\d{4}-\\d{2}$");

    private final Invoices invoices;
    private final TenantDirectory tenants;

    InvoiceController(Invoices invoices, TenantDirectory tenants) {
        this.invoices = invoices;
        this.tenants = tenants;
    }

    @GetMapping("/v1/tenants/{tenantId}/invoices")
    List<Invoices.InvoiceSummary> list(Caller caller, @PathVariable UUID tenantId) {
        tenants.visibleTo(caller, tenantId);
        return invoices.list(tenantId);
    }

    @GetMapping("/v1/tenants/{tenantId}/invoices/{period}")
    InvoiceCalculator.Invoice get(Caller caller, @PathVariable UUID tenantId, @PathVariable String period) {
        tenants.visibleTo(caller, tenantId);
        return invoices.invoice(tenantId, month(period));
    }

    private static YearMonth month(String period) {
        if (PERIOD.matcher(period).matches()) {
            try {
                YearMonth month = YearMonth.parse(period);
                if (month.getYear() >= 1) {
                    return month;
                }
            } catch (DateTimeException e) {
                // 2026-13: well-formed but no such month; refused below like any other bad period.
            }
        }
        throw ApiException.invalid("period", "must be a calendar month YYYY-MM (UTC) from 0001-01 on, e.g. 2026-11");
    }
}
