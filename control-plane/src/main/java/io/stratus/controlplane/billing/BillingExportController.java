package io.stratus.controlplane.billing;

import io.stratus.controlplane.billing.BillingExportRecords.ExportView;
import io.stratus.controlplane.security.OperatorOnly;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.QueryParams;
import io.stratus.controlplane.web.RequestExample;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/admin/billing-exports} (operator): what was exported, and re-running a period now. */
@RestController
@OperatorOnly
@Tag(name = "Billing exports", description = "Files of every closed hour and day for finance systems (operator).")
class BillingExportController {

    private static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    private static final int MAX_LISTED = 1000;

    private final BillingExporter exporter;
    private final BillingExportRecords records;
    private final BillingExportSettings settings;
    private final Clock clock;

    BillingExportController(BillingExporter exporter, BillingExportRecords records, BillingExportSettings settings,
                            Clock clock) {
        this.exporter = exporter;
        this.records = records;
        this.settings = settings;
        this.clock = clock;
    }

    record RunExportRequest(String period) {
    }

    /** Exports whose period starts in [from, to) (ISO-8601 instants; default the last 7 days), newest first. */
    @GetMapping("/v1/admin/billing-exports")
    @Operation(operationId = "listBillingExports", summary = "List billing exports", description = """
            Exports whose period starts in [`from`, `to`) (ISO-8601 instants; the last 7 days by default), newest \
            first: state (`RUNNING`, `SUCCEEDED`, `FAILED`), runs, row count, the manifest's SHA-256, the files, and \
            the directory and control plane that last wrote them. Operator key only.""")
    List<ExportView> list(@RequestParam(required = false) String from,
                          @RequestParam(required = false) String to) {
        QueryParams.Range range = QueryParams.range(from, to, clock.instant(), DEFAULT_RANGE);
        if (range.from().isAfter(range.to())) {
            throw ApiException.invalid("from", "must not be after to");
        }
        return records.list(range.from(), range.to(), MAX_LISTED);
    }

    @GetMapping("/v1/admin/billing-exports/{period}")
    @Operation(operationId = "getBillingExport", summary = "Get a billing export", description = """
            The export of one period, an hour (`YYYY-MM-DDTHH`) or a UTC day (`YYYY-MM-DD`); 404 if it never ran. \
            Operator key only.""")
    ExportView get(@PathVariable String period) {
        return records.find(period).orElseThrow(() -> ApiException.notFound("billing export"));
    }

    /**
     * Runs the export of an ended period now, whether or not it ran before, and answers with its state. Closed hours
     * never change, so the files come out byte for byte as before.
     */
    @PostMapping("/v1/admin/billing-exports")
    @Operation(operationId = "runBillingExport", summary = "Run a billing export now", description = """
            Runs the export of an ended hour (`YYYY-MM-DDTHH`) or UTC day (`YYYY-MM-DD`) on this control plane now, \
            whether or not it ran before, and answers its state when done; a re-run rewrites byte-identical files. \
            A period that is malformed, has not ended, or ended less than the settle time (5 minutes) ago is 400 \
            (`period`), and nothing is stored. Operator key only.""")
    @ApiResponse(responseCode = "200", description = "The export, `SUCCEEDED`, with `runs` counting every run.")
    @ApiResponse(responseCode = "409", description = "`export-running`: another run of the period is in progress.")
    @ApiResponse(responseCode = "500", description = "`export-failed`: writing the files failed; the export is then "
            + "`FAILED` with its `error`, and the next firing or a re-run retries it.")
    @RequestExample("""
            {"period": "2026-11-25T13"}""")
    ExportView run(@RequestBody RunExportRequest request) {
        BillingPeriod period = period(request.period());
        BillingExporter.Outcome outcome;
        try {
            outcome = exporter.export(period, true);
        } catch (BillingExporter.ExportFailedException e) {
            throw new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "export-failed", "Export failed",
                    e.getMessage() + "; see GET /v1/admin/billing-exports/" + period.name(), List.of());
        }
        if (outcome instanceof BillingExporter.Outcome.Exported e) {
            return e.export();
        }
        if (outcome instanceof BillingExporter.Outcome.AlreadyExported e) {
            return e.export();
        }
        // Busy: another run of the period holds its lock.
        throw ApiException.conflict("export-running",
                "an export of " + period.name() + " is running; retry when it has finished", "period");
    }

    private BillingPeriod period(String name) {
        if (name == null) {
            throw ApiException.invalid("period", "is required");
        }
        BillingPeriod p = BillingPeriod.parse(name).orElseThrow(() -> ApiException.invalid("period",
                "must be an hour YYYY-MM-DDTHH or a day YYYY-MM-DD (UTC) from year 0001 on, e.g. 2026-11-25T13 or 2026-11-25"));
        Instant now = clock.instant();
        if (!p.endedAt(now)) {
            throw ApiException.invalid("period", "has not ended yet: only closed periods (end <= now) can be exported");
        }
        if (!p.endedAt(now.minus(settings.settle()))) {
            // Exporting closes the period for good: usage of its last minutes still on its way would be billed late.
            throw ApiException.invalid("period", "ended less than " + spoken(settings.settle()) + " ago: its"
                    + " last usage may still be arriving; it can be exported from " + p.end().plus(settings.settle()));
        }
        return p;
    }

    /** "5 minutes", "90 seconds": a settle time as the problem's reader says it. */
    private static String spoken(java.time.Duration d) {
        long seconds = d.toSeconds();
        return seconds % 60 == 0 && seconds > 0 ? (seconds / 60) + (seconds == 60 ? " minute" : " minutes")
                : seconds + (seconds == 1 ? " second" : " seconds");
    }
}
