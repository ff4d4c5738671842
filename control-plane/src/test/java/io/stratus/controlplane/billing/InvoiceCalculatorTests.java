package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.billing.InvoiceCalculator.Invoice;
import io.stratus.controlplane.billing.InvoiceCalculator.Line;
import io.stratus.controlplane.billing.InvoiceCalculator.MonthUsage;
import io.stratus.controlplane.billing.InvoiceCalculator.Status;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InvoiceCalculatorTests {

    private static final UUID TENANT = UUID.randomUUID();

    private static PricePlan plan(String currency, String perMillion, String perCuHour, String perGbMonth, String perGbEgress,
                                  long freeRequests, String freeCuHours, String freeGbMonths, String freeEgressGb) {
        return new PricePlan(UUID.randomUUID(), "p", currency, new BigDecimal(perMillion), new BigDecimal(perCuHour),
                new BigDecimal(perGbMonth), new BigDecimal(perGbEgress), freeRequests, new BigDecimal(freeCuHours),
                new BigDecimal(freeGbMonths), new BigDecimal(freeEgressGb), Instant.EPOCH);
    }

    private static Line line(Invoice i, String metric) {
        return i.lines().stream().filter(l -> l.metric().equals(metric)).findFirst().orElseThrow();
    }

    @Test
    void requestsArePricedPerMillionAfterTheFreeAllowance() {
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED,
                plan("USD", "0.20", "0", "0", "0", 1_000_000, "0", "0", "0"),
                new MonthUsage(12_345_678, BigDecimal.ZERO, BigDecimal.ZERO, 0));
        Line requests = line(i, "requests");
        assertThat(requests.quantity()).isEqualByComparingTo("12.345678");
        assertThat(requests.unit()).isEqualTo("million requests");
        assertThat(requests.freeAllowance()).isEqualByComparingTo("1");
        assertThat(requests.billableQuantity()).isEqualByComparingTo("11.345678");
        // 11.345678 x 0.20 = 2.2691356 -> 2.27
        assertThat(requests.amount()).isEqualByComparingTo("2.27");
        assertThat(requests.amount().scale()).isEqualTo(2);
        assertThat(i.total()).isEqualByComparingTo("2.27");
        assertThat(i.subtotal()).isEqualByComparingTo("2.27");
        assertThat(i.period()).isEqualTo("2026-03");
        assertThat(i.periodStart()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(i.periodEnd()).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
    }

    @Test
    void computeUsesExactCuSecondsAndRoundsOnceHalfUp() {
        // 9000.5 CU-seconds = 2.500138888... CU-hours; 0.5 free -> 2.000138888... x 0.125 = 0.2500173611 -> 0.25
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED,
                plan("EUR", "0", "0.125", "0", "0", 0, "0.5", "0", "0"),
                new MonthUsage(0, new BigDecimal("9000.500000"), BigDecimal.ZERO, 0));
        Line compute = line(i, "compute");
        assertThat(compute.unit()).isEqualTo("CU-hours");
        assertThat(compute.quantity()).isEqualByComparingTo("2.500138889");
        assertThat(compute.billableQuantity()).isEqualByComparingTo("2.000138889");
        assertThat(compute.amount()).isEqualByComparingTo("0.25");
        assertThat(i.currency()).isEqualTo("EUR");
    }

    @Test
    void halfACentRoundsUpPerLineNotOnTheTotal() {
        // Each line is exactly x.xx5: rounded up per line (0.01 + 0.01), not summed first (0.005 + 0.005 = 0.01).
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED,
                plan("USD", "0.005", "0", "0", "0.005", 0, "0", "0", "0"),
                new MonthUsage(1_000_000, BigDecimal.ZERO, BigDecimal.ZERO, 1_000_000_000L));
        assertThat(line(i, "requests").amount()).isEqualByComparingTo("0.01");
        assertThat(line(i, "egress").amount()).isEqualByComparingTo("0.01");
        assertThat(i.total()).isEqualByComparingTo("0.02");
    }

    @Test
    void storageIsPricedInGbMonthsOf730Hours() {
        // 20 GB for 730 hours = 20 GB-months; 5 free; 15 x 0.35 = 5.25
        BigDecimal byteSeconds = new BigDecimal("20000000000").multiply(BigDecimal.valueOf(730L * 3600));
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED,
                plan("USD", "0", "0", "0.35", "0", 0, "0", "5", "0"), new MonthUsage(0, BigDecimal.ZERO, byteSeconds, 0));
        Line storage = line(i, "storage");
        assertThat(storage.quantity()).isEqualByComparingTo("20");
        assertThat(storage.unit()).isEqualTo("GB-months");
        assertThat(storage.billableQuantity()).isEqualByComparingTo("15");
        assertThat(storage.amount()).isEqualByComparingTo("5.25");
    }

    private static PricePlan backupPlan(String perGbMonthBackup, String freeBackupGbMonths) {
        return new PricePlan(UUID.randomUUID(), "p", "USD", BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("0.35"),
                BigDecimal.ZERO, 0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal(perGbMonthBackup),
                new BigDecimal(freeBackupGbMonths), Instant.EPOCH);
    }

    @Test
    void backupStorageIsItsOwnLinePricedInGbMonthsLikeStorage() {
        // 1 GB held for 730 hours (one billing month) at 0.23 = 0.23; the database's own storage line is not touched.
        BigDecimal oneGbMonth = new BigDecimal("1000000000").multiply(BigDecimal.valueOf(730L * 3600));
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED, backupPlan("0.23", "0"),
                new MonthUsage(0, BigDecimal.ZERO, BigDecimal.ZERO, 0, oneGbMonth));
        Line backup = line(i, "backup-storage");
        assertThat(backup.quantity()).isEqualByComparingTo("1");
        assertThat(backup.unit()).isEqualTo("GB-months");
        assertThat(backup.unitPrice()).isEqualByComparingTo("0.23");
        assertThat(backup.amount()).isEqualByComparingTo("0.23");
        assertThat(line(i, "storage").amount()).isEqualByComparingTo("0.00");
        assertThat(i.total()).isEqualByComparingTo("0.23");

        // A 30-day month of 1 GB is 720/730 GB-month: 0.986301369863 x 0.23 = 0.2268..., one rounding: 0.23.
        BigDecimal thirtyDays = new BigDecimal("1000000000").multiply(BigDecimal.valueOf(720L * 3600));
        var month = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 4), Status.CLOSED, backupPlan("10", "0"),
                new MonthUsage(0, BigDecimal.ZERO, BigDecimal.ZERO, 0, thirtyDays));
        // 720 / 730 x 10 = 9.8630136..., HALF_UP to the cent, from the exact byte-seconds.
        assertThat(line(month, "backup-storage").amount()).isEqualByComparingTo("9.86");
        assertThat(line(month, "backup-storage").quantity()).isEqualByComparingTo("0.986301369863");
    }

    @Test
    void backupStorageWithinItsFreeAllowanceCostsNothingAndAboveItOnlyTheRest() {
        BigDecimal threeGbMonths = new BigDecimal("3000000000").multiply(BigDecimal.valueOf(730L * 3600));
        var within = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED, backupPlan("0.1", "5"),
                new MonthUsage(0, BigDecimal.ZERO, BigDecimal.ZERO, 0, threeGbMonths));
        assertThat(line(within, "backup-storage").billableQuantity()).isEqualByComparingTo("0");
        assertThat(line(within, "backup-storage").amount()).isEqualByComparingTo("0.00");
        var above = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED, backupPlan("0.1", "2.5"),
                new MonthUsage(0, BigDecimal.ZERO, BigDecimal.ZERO, 0, threeGbMonths));
        assertThat(line(above, "backup-storage").billableQuantity()).isEqualByComparingTo("0.5");
        assertThat(line(above, "backup-storage").freeAllowance()).isEqualByComparingTo("2.5");
        assertThat(line(above, "backup-storage").amount()).isEqualByComparingTo("0.05");
    }

    @Test
    void usageWithinTheFreeAllowanceCostsNothing() {
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.OPEN,
                plan("USD", "0.2", "0.1", "0.3", "0.09", 5_000_000, "100", "10", "100"),
                new MonthUsage(4_000_000, new BigDecimal("3600"), new BigDecimal("1000"), 5_000_000_000L));
        assertThat(i.lines()).extracting(Line::billableQuantity).allSatisfy(b -> assertThat(b).isEqualByComparingTo("0"));
        assertThat(i.total()).isEqualByComparingTo("0.00");
        assertThat(i.status()).isEqualTo(Status.OPEN);
        assertThat(i.lines()).extracting(Line::metric).containsExactly("requests", "compute", "storage", "egress",
                "backup-storage");
    }

    @Test
    void currencyWithoutMinorUnitRoundsToWholeUnits() {
        // 2.5 million requests x 3 JPY = 7.5 -> 8
        var i = InvoiceCalculator.invoice(TENANT, YearMonth.of(2026, 3), Status.CLOSED,
                plan("JPY", "3", "0", "0", "0", 0, "0", "0", "0"), new MonthUsage(2_500_000, BigDecimal.ZERO, BigDecimal.ZERO, 0));
        assertThat(line(i, "requests").amount()).isEqualByComparingTo("8");
        assertThat(line(i, "requests").amount().scale()).isZero();
    }
}
