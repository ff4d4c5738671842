package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Invoices priced from known hourly roll-ups with a known plan. Usage lies in a month of the 1990s (each tenant its
 * own), so those invoices are CLOSED; the running month is OPEN.
 */
class InvoiceApiTests extends ControlPlaneTest {

    private TestTenant tenant;
    private UUID tenantId;
    private String planId;

    @BeforeEach
    void tenantWithPlan() {
        tenant = newTenant();
        tenantId = UUID.fromString(tenant.id());
        planId = createPlan("0.20");
        assign(tenant.id(), planId);
    }

    private String createPlan(String pricePerMillion) {
        var r = api().post(OPERATOR_KEY, "/v1/admin/plans", "{\"name\":\"inv-" + UUID.randomUUID().toString().substring(0, 8)
                + "\",\"currency\":\"USD\",\"pricePerMillionRequests\":" + pricePerMillion + ",\"pricePerCuHour\":0.125,"
                + "\"pricePerGbMonth\":0.35,\"pricePerGbEgress\":0.09,\"freeRequests\":1000000,\"freeCuHours\":0.5,"
                + "\"freeGbMonths\":5,\"freeEgressGb\":1}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.text("id");
    }

    private void assign(String tenant, String plan) {
        var r = api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + tenant + "/plan", ApiClient.json("planId", plan), Map.of());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    private static JsonNode line(JsonNode invoice, String metric) {
        for (JsonNode l : invoice.get("lines")) {
            if (l.get("metric").asString().equals(metric)) {
                return l;
            }
        }
        throw new AssertionError("no line " + metric + " in " + invoice);
    }

    @Test
    void knownUsageIsPricedToTheCentWithFreeAllowances() {
        UUID db1 = BillingFixtures.database(jdbc, tenantId);
        UUID db2 = BillingFixtures.database(jdbc, tenantId);
        // June 1995, two databases: 12,345,678 requests, 9000.5 CU-seconds, 20 GB-months (5.256e16 byte-seconds), 2.2 GB out.
        BillingFixtures.usage(jdbc, tenantId, db1, at("1995-06-01T00:00:00Z"), 12_000_000, "5000.250000", "20000000000000000", 1_500_000_000L, 0);
        BillingFixtures.usage(jdbc, tenantId, db1, at("1995-06-30T23:00:00Z"), 345_678, "4000.250000", "30000000000000000", 0, 1);
        BillingFixtures.usage(jdbc, tenantId, db2, at("1995-06-15T12:00:00Z"), 0, "0", "2560000000000000", 700_000_000L, 0);
        // The hours either side belong to other months.
        BillingFixtures.usage(jdbc, tenantId, db1, at("1995-05-31T23:00:00Z"), 1_000_000_000, "99999", "0", 0, 0);
        BillingFixtures.usage(jdbc, tenantId, db2, at("1995-07-01T00:00:00Z"), 7_000_000, "0", "0", 0, 0);

        var r = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/1995-06");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode invoice = r.json();
        assertThat(invoice.get("period").asString()).isEqualTo("1995-06");
        assertThat(invoice.get("status").asString()).isEqualTo("CLOSED");
        assertThat(invoice.get("currency").asString()).isEqualTo("USD");
        assertThat(invoice.at("/plan/id").asString()).isEqualTo(planId);
        assertThat(invoice.get("periodStart").asString()).isEqualTo("1995-06-01T00:00:00Z");
        assertThat(invoice.get("periodEnd").asString()).isEqualTo("1995-07-01T00:00:00Z");

        JsonNode requests = line(invoice, "requests");
        assertThat(requests.get("quantity").decimalValue()).isEqualByComparingTo("12.345678");
        assertThat(requests.get("unit").asString()).isEqualTo("million requests");
        assertThat(requests.get("unitPrice").decimalValue()).isEqualByComparingTo("0.2");
        assertThat(requests.get("freeAllowance").decimalValue()).isEqualByComparingTo("1");
        assertThat(requests.get("billableQuantity").decimalValue()).isEqualByComparingTo("11.345678");
        assertThat(requests.get("amount").decimalValue()).isEqualByComparingTo("2.27"); // 2.2691356

        JsonNode compute = line(invoice, "compute");
        assertThat(compute.get("quantity").decimalValue()).isEqualByComparingTo("2.500138889");
        assertThat(compute.get("billableQuantity").decimalValue()).isEqualByComparingTo("2.000138889");
        assertThat(compute.get("amount").decimalValue()).isEqualByComparingTo("0.25"); // 0.2500173611

        JsonNode storage = line(invoice, "storage");
        assertThat(storage.get("quantity").decimalValue()).isEqualByComparingTo("20");
        assertThat(storage.get("billableQuantity").decimalValue()).isEqualByComparingTo("15");
        assertThat(storage.get("amount").decimalValue()).isEqualByComparingTo("5.25");

        JsonNode egress = line(invoice, "egress");
        assertThat(egress.get("quantity").decimalValue()).isEqualByComparingTo("2.2");
        assertThat(egress.get("billableQuantity").decimalValue()).isEqualByComparingTo("1.2");
        assertThat(egress.get("amount").decimalValue()).isEqualByComparingTo("0.11"); // 0.108

        assertThat(invoice.get("subtotal").decimalValue()).isEqualByComparingTo("7.88");
        assertThat(invoice.get("total").decimalValue()).isEqualByComparingTo("7.88");
        // Money is written with the currency's two decimals.
        assertThat(r.raw()).contains("\"total\":7.88").contains("\"amount\":0.25");
    }

    @Test
    void backupStorageIsAFifthLinePricedByThePlanWithItsFreeAllowance() {
        var p = api().post(OPERATOR_KEY, "/v1/admin/plans", "{\"name\":\"inv-b-" + UUID.randomUUID().toString()
                .substring(0, 8) + "\",\"currency\":\"USD\",\"pricePerMillionRequests\":0,\"pricePerCuHour\":0,"
                + "\"pricePerGbMonth\":0.35,\"pricePerGbEgress\":0,\"freeRequests\":0,\"freeCuHours\":0,"
                + "\"freeGbMonths\":0,\"freeEgressGb\":0,\"pricePerGbMonthBackup\":0.1,\"freeBackupGbMonths\":1}");
        assertThat(p.status()).as(p.raw()).isEqualTo(201);
        // A tenant of its own: a month before a tenant's first plan is priced by that first plan.
        TestTenant priced = newTenant();
        UUID pricedId = UUID.fromString(priced.id());
        assign(priced.id(), p.text("id"));
        UUID db = BillingFixtures.database(jdbc, pricedId);
        // 3 GB for 730 hours in two hours' sums: 3 GB-months, 1 free, 2 x 0.1 = 0.20.
        BigDecimal threeGbMonths = new BigDecimal("3000000000").multiply(BigDecimal.valueOf(730L * 3600));
        BigDecimal part = new BigDecimal("1000000000").multiply(BigDecimal.valueOf(730L * 3600));
        BillingFixtures.backupUsage(jdbc, pricedId, db, at("1995-09-02T00:00:00Z"), part);
        BillingFixtures.backupUsage(jdbc, pricedId, db, at("1995-09-30T23:00:00Z"), threeGbMonths.subtract(part));

        var r = api().get(priced.readKey(), "/v1/tenants/" + priced.id() + "/invoices/1995-09");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode invoice = r.json();
        assertThat(invoice.findValuesAsString("metric")).containsExactly("requests", "compute", "storage", "egress",
                "backup-storage");
        JsonNode backup = line(invoice, "backup-storage");
        assertThat(backup.get("unit").asString()).isEqualTo("GB-months");
        assertThat(backup.get("quantity").decimalValue()).isEqualByComparingTo("3");
        assertThat(backup.get("freeAllowance").decimalValue()).isEqualByComparingTo("1");
        assertThat(backup.get("billableQuantity").decimalValue()).isEqualByComparingTo("2");
        assertThat(backup.get("amount").decimalValue()).isEqualByComparingTo("0.20");
        assertThat(line(invoice, "storage").get("amount").decimalValue()).isEqualByComparingTo("0");
        assertThat(invoice.get("total").decimalValue()).isEqualByComparingTo("0.20");
    }

    @Test
    void listShowsMonthsWithUsageAndTheRunningMonthNewestFirst() {
        UUID db = BillingFixtures.database(jdbc, tenantId);
        BillingFixtures.usage(jdbc, tenantId, db, at("1996-02-10T05:00:00Z"), 3_000_000, "0", "0", 0, 0);
        BillingFixtures.usage(jdbc, tenantId, db, at("1996-04-10T05:00:00Z"), 2_000_000, "0", "0", 0, 0);
        Instant thisHour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        BillingFixtures.usage(jdbc, tenantId, db, thisHour, 6_000_000, "0", "0", 0, 0);
        YearMonth current = YearMonth.from(thisHour.atOffset(ZoneOffset.UTC));

        var r = api().get(tenant.adminKey(), "/v1/tenants/" + tenant.id() + "/invoices");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.json().findValuesAsString("period")).containsExactly(current.toString(), "1996-04", "1996-02");
        assertThat(r.json().findValuesAsString("status")).containsExactly("OPEN", "CLOSED", "CLOSED");
        assertThat(r.json().get(0).get("total").decimalValue()).isEqualByComparingTo("1.00"); // 5 million x 0.20
        assertThat(r.json().get(1).get("total").decimalValue()).isEqualByComparingTo("0.20");
        assertThat(r.json().get(2).get("total").decimalValue()).isEqualByComparingTo("0.40");
        assertThat(r.json().get(0).get("currency").asString()).isEqualTo("USD");

        var open = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/" + current);
        assertThat(open.text("status")).isEqualTo("OPEN");
        assertThat(open.json().get("total").decimalValue()).isEqualByComparingTo("1.00");
    }

    @Test
    void aMonthWithoutUsageIsAnEmptyInvoiceAndTheFutureIsNotFound() {
        var empty = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/1997-01");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.json().get("total").decimalValue()).isEqualByComparingTo("0");
        assertThat(empty.json().get("lines")).hasSize(5);
        String next = YearMonth.now(ZoneOffset.UTC).plusMonths(1).toString();
        var future = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/" + next);
        assertThat(future.status()).isEqualTo(404);
        assertThat(future.contentType()).contains("application/problem+json");
    }

    @Test
    void badPeriodsAreProblemsNamingThePeriod() {
        for (String bad : new String[] {"2026-13", "2026-1", "202611", "2026-11-01", "abc", "2026-00", "-2026-01", "0000-01"}) {
            var r = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/" + bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("errors").findValuesAsString("field")).as(bad).containsExactly("period");
        }
    }

    @Test
    void aTenantWithoutAPlanHasNoInvoicesYet() {
        TestTenant planless = newTenant();
        var list = api().get(planless.readKey(), "/v1/tenants/" + planless.id() + "/invoices");
        assertThat(list.status()).isEqualTo(409);
        assertThat(list.json().get("type").asString()).endsWith("/no-plan");
        assertThat(api().get(planless.readKey(), "/v1/tenants/" + planless.id() + "/invoices/1995-06").status()).isEqualTo(409);
    }

    @Test
    void otherTenantsInvoicesAreNotFound() {
        TestTenant other = newTenant();
        assign(other.id(), planId);
        for (String key : new String[] {other.adminKey(), other.readKey()}) {
            assertThat(api().get(key, "/v1/tenants/" + tenant.id() + "/invoices").status()).isEqualTo(404);
            assertThat(api().get(key, "/v1/tenants/" + tenant.id() + "/invoices/1995-06").status()).isEqualTo(404);
        }
        assertThat(api().get(tenant.adminKey(), "/v1/tenants/" + tenant.id() + "/invoices").status()).isEqualTo(200);
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + tenant.id() + "/invoices/1995-06").status()).isEqualTo(200);
        assertThat(api().get(OPERATOR_KEY, "/v1/tenants/" + UUID.randomUUID() + "/invoices").status()).isEqualTo(404);
        assertThat(api().get(tenant.readKey(), "/v1/tenants/not-a-uuid/invoices").status()).isEqualTo(404);
    }

    @Test
    void aNewPlanPricesTheRunningMonthWhileEarlierMonthsKeepTheFirstPlan() {
        UUID db = BillingFixtures.database(jdbc, tenantId);
        BillingFixtures.usage(jdbc, tenantId, db, at("1998-03-03T03:00:00Z"), 2_000_000, "0", "0", 0, 0);
        String pricier = createPlan("1.5");
        assign(tenant.id(), pricier);
        // March 1998 ended before either assignment: priced by the first plan the tenant had (1 million x 0.20).
        var march = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/1998-03").json();
        assertThat(march.at("/plan/id").asString()).isEqualTo(planId);
        assertThat(march.get("total").decimalValue()).isEqualByComparingTo("0.20");
        var current = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/" + YearMonth.now(ZoneOffset.UTC)).json();
        assertThat(current.at("/plan/id").asString()).isEqualTo(pricier);
        assertThat(api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/plan").at("/plan/id").asString()).isEqualTo(pricier);
    }

    @Test
    void moneyCarriesTheCurrencysMinorUnitInTheListAndInTheInvoice() {
        UUID db = BillingFixtures.database(jdbc, tenantId);
        // May 1999: 6 million requests, 5 billable at 0.20 = 1.00; July 1999: nothing, 0.00.
        BillingFixtures.usage(jdbc, tenantId, db, at("1999-05-10T05:00:00Z"), 6_000_000, "0", "0", 0, 0);
        var list = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices");
        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        assertThat(list.raw()).contains("{\"period\":\"1999-05\",\"status\":\"CLOSED\",\"currency\":\"USD\",\"total\":1.00}");
        var may = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/1999-05");
        assertThat(may.raw()).contains("\"subtotal\":1.00,\"total\":1.00}").contains("\"amount\":1.00}")
                .contains("\"amount\":0.00}");
        var july = api().get(tenant.readKey(), "/v1/tenants/" + tenant.id() + "/invoices/1999-07");
        assertThat(july.raw()).contains("\"subtotal\":0.00,\"total\":0.00}");

        // Yen have no minor unit: whole amounts, no decimals, in both.
        TestTenant yen = newTenant();
        UUID yenId = UUID.fromString(yen.id());
        var plan = api().post(OPERATOR_KEY, "/v1/admin/plans", "{\"name\":\"yen-" + UUID.randomUUID().toString().substring(0, 8)
                + "\",\"currency\":\"JPY\",\"pricePerMillionRequests\":30,\"pricePerCuHour\":15,\"pricePerGbMonth\":40,"
                + "\"pricePerGbEgress\":10,\"freeRequests\":1000000,\"freeCuHours\":0.5,\"freeGbMonths\":5,\"freeEgressGb\":1}");
        assertThat(plan.status()).as(plan.raw()).isEqualTo(201);
        assign(yen.id(), plan.text("id"));
        BillingFixtures.usage(jdbc, yenId, BillingFixtures.database(jdbc, yenId), at("1999-05-10T05:00:00Z"), 6_000_000,
                "0", "0", 0, 0);
        assertThat(api().get(yen.readKey(), "/v1/tenants/" + yen.id() + "/invoices").raw())
                .contains("{\"period\":\"1999-05\",\"status\":\"CLOSED\",\"currency\":\"JPY\",\"total\":150}");
        assertThat(api().get(yen.readKey(), "/v1/tenants/" + yen.id() + "/invoices/1999-05").raw())
                .contains("\"subtotal\":150,\"total\":150}").contains("\"amount\":0}");
    }
}
