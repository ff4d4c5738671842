package io.stratus.controlplane.billing;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.tenants.TenantDirectory;
import io.stratus.controlplane.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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
@Tag(name = "Invoices", description = "A tenant's monthly invoices, priced by its plan from the hourly usage.")
class InvoiceController {

    private static final Pattern PERIOD = Pattern.compile("^\\d{4}-\\d{2}$");

    private final Invoices invoices;
    private final TenantDirectory tenants;

    InvoiceController(Invoices invoices, TenantDirectory tenants) {
        this.invoices = invoices;
        this.tenants = tenants;
    }

    @GetMapping("/v1/tenants/{tenantId}/invoices")
    @Operation(operationId = "listInvoices", summary = "List a tenant's invoices", description = """
            Every month with usage and the running month, newest first: `{period, status, currency, total}`. The \
            operator key or any key of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The tenant's months, newest first.")
    @ApiResponse(responseCode = "409", description = "`no-plan`: the tenant has no price plan yet (the operator "
            + "assigns one).")
    List<Invoices.InvoiceSummary> list(Caller caller, @PathVariable UUID tenantId) {
        tenants.visibleTo(caller, tenantId);
        return invoices.list(tenantId);
    }

    @GetMapping("/v1/tenants/{tenantId}/invoices/{period}")
    @Operation(operationId = "getInvoice", summary = "Get a monthly invoice", description = """
            The invoice of a UTC calendar month (`period`: `YYYY-MM`): one line per metric (requests, compute, \
            storage, egress) with its quantity, free allowance, billable quantity, unit price and amount, rounded \
            once per line to the currency's minor unit, then `subtotal` and `total`. `OPEN` while the month runs, \
            `CLOSED` once it has ended; priced by the plan the tenant was on when the month ended. A past month \
            without usage is an invoice of zeros; a month that has not started is 404. The operator key or any key \
            of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The month's invoice.")
    @ApiResponse(responseCode = "400", description = "`period` is not a calendar month `YYYY-MM` from 0001-01 on.")
    @ApiResponse(responseCode = "409", description = "`no-plan`: the tenant has no price plan yet (the operator "
            + "assigns one).")
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
