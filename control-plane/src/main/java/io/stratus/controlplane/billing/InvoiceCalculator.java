package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.UsageUnits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Prices a month of usage with a plan: pure arithmetic, no I/O.
 *
 * <p>Each line: {@code billable = max(0, quantity - free allowance)}, {@code amount = billable x unit price} rounded
 * HALF_UP to the currency's minor unit, once per line; {@code total} is the sum of the line amounts. The amount is
 * computed from the exact usage (CU-seconds and byte-seconds divided only at the end), so no intermediate rounding
 * can move it by a cent. Quantities are shown converted as the usage API shows them ({@link UsageUnits}: CU-hours to 9
 * decimals, GB-months to 12, GB and million requests exact).
 */
final class InvoiceCalculator {

    static final BigDecimal REQUESTS_PER_MILLION = BigDecimal.valueOf(1_000_000);

    private InvoiceCalculator() {
    }

    /** OPEN while the month is still running (month to date), CLOSED once it has ended. */
    enum Status {
        OPEN, CLOSED
    }

    /** A month's usage of one tenant, summed over its databases, in the units metering records. */
    record MonthUsage(long requests, BigDecimal cuSeconds, BigDecimal storageByteSeconds, long egressBytes,
                      BigDecimal backupByteSeconds) {
        static final MonthUsage NONE = new MonthUsage(0, BigDecimal.ZERO, BigDecimal.ZERO, 0, BigDecimal.ZERO);

        /** Without backup storage. */
        MonthUsage(long requests, BigDecimal cuSeconds, BigDecimal storageByteSeconds, long egressBytes) {
            this(requests, cuSeconds, storageByteSeconds, egressBytes, BigDecimal.ZERO);
        }

        MonthUsage plus(long requests, BigDecimal cuSeconds, BigDecimal storageByteSeconds, long egressBytes,
                        BigDecimal backupByteSeconds) {
            return new MonthUsage(this.requests + requests, this.cuSeconds.add(cuSeconds),
                    this.storageByteSeconds.add(storageByteSeconds), this.egressBytes + egressBytes,
                    this.backupByteSeconds.add(backupByteSeconds));
        }
    }

    /** The plan an invoice was priced with. */
    record PlanRef(UUID id, String name) {
    }

    /** One metric of an invoice. */
    record Line(String metric, BigDecimal quantity, String unit, BigDecimal unitPrice, BigDecimal freeAllowance,
                BigDecimal billableQuantity, BigDecimal amount) {
    }

    /** A tenant's invoice for one calendar month (UTC). */
    record Invoice(UUID tenantId, String period, Instant periodStart, Instant periodEnd, Status status, String currency,
                   PlanRef plan, List<Line> lines, BigDecimal subtotal, BigDecimal total) {
    }

    static Invoice invoice(UUID tenantId, YearMonth month, Status status, PricePlan plan, MonthUsage usage) {
        int minorUnit = Currency.getInstance(plan.currency()).getDefaultFractionDigits();
        List<Line> lines = List.of(
                line("requests", "million requests", BigDecimal.valueOf(usage.requests()), REQUESTS_PER_MILLION,
                        InvoiceCalculator::millions, plan.pricePerMillionRequests(),
                        BigDecimal.valueOf(plan.freeRequests()).movePointLeft(6), minorUnit),
                line("compute", "CU-hours", usage.cuSeconds(), UsageUnits.SECONDS_PER_HOUR, UsageUnits::cuHours,
                        plan.pricePerCuHour(), plan.freeCuHours(), minorUnit),
                line("storage", "GB-months", usage.storageByteSeconds(), UsageUnits.BYTE_SECONDS_PER_GB_MONTH,
                        UsageUnits::gbMonths, plan.pricePerGbMonth(), plan.freeGbMonths(), minorUnit),
                line("egress", "GB", BigDecimal.valueOf(usage.egressBytes()), UsageUnits.BYTES_PER_GB,
                        UsageUnits::gb, plan.pricePerGbEgress(), plan.freeEgressGb(), minorUnit),
                // Backups and archived WAL in the backup store, priced like storage (ADR 0022).
                line("backup-storage", "GB-months", usage.backupByteSeconds(), UsageUnits.BYTE_SECONDS_PER_GB_MONTH,
                        UsageUnits::gbMonths, plan.pricePerGbMonthBackup(), plan.freeBackupGbMonths(), minorUnit));
        BigDecimal total = lines.stream().map(Line::amount).reduce(BigDecimal.ZERO.setScale(minorUnit), BigDecimal::add);
        Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return new Invoice(tenantId, month.toString(), start, end, status, plan.currency(),
                new PlanRef(plan.id(), plan.name()), lines, total, total);
    }

    /**
     * @param raw       usage in the metered unit (requests, CU-seconds, byte-seconds, bytes), exact
     * @param unitSize  metered units in one billing unit
     * @param shown     the conversion to billing units for display
     * @param price     price of one billing unit
     * @param free      free billing units per month
     */
    private static Line line(String metric, String unit, BigDecimal raw, BigDecimal unitSize,
                             UnaryOperator<BigDecimal> shown, BigDecimal price, BigDecimal free, int minorUnit) {
        BigDecimal billableRaw = raw.subtract(free.multiply(unitSize)).max(BigDecimal.ZERO);
        // One division, one rounding: exact product over the unit size, rounded HALF_UP to the minor unit.
        BigDecimal amount = billableRaw.multiply(price).divide(unitSize, minorUnit, RoundingMode.HALF_UP);
        return new Line(metric, UsageUnits.plain(shown.apply(raw)), unit, UsageUnits.plain(price), UsageUnits.plain(free),
                UsageUnits.plain(shown.apply(billableRaw)), amount);
    }

    private static BigDecimal millions(BigDecimal requests) {
        return requests.movePointLeft(6);
    }
}
