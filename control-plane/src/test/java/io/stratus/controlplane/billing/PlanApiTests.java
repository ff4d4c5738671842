package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.testing.ApiClient;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code /v1/admin/plans} and {@code /v1/tenants/{id}/plan}: exact money, every bad field at once, operator only. */
class PlanApiTests extends ControlPlaneTest {

    static String planJson(String name, String pricePerMillionRequests) {
        return "{\"name\":\"" + name + "\",\"currency\":\"USD\",\"pricePerMillionRequests\":" + pricePerMillionRequests
                + ",\"pricePerCuHour\":0.1,\"pricePerGbMonth\":0.35,\"pricePerGbEgress\":0.09,\"freeRequests\":1000000,"
                + "\"freeCuHours\":0.5,\"freeGbMonths\":0.5,\"freeEgressGb\":1}";
    }

    private String uniqueName() {
        return "plan-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void operatorCreatesReadsAndListsPlansWithExactDecimals() {
        String name = uniqueName();
        var r = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(name, "0.1"));
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        // 0.1 stays 0.1: parsed from the JSON text as a decimal, never through a double.
        assertThat(r.raw()).contains("\"pricePerMillionRequests\":0.1,").contains("\"pricePerCuHour\":0.1,")
                .contains("\"freeRequests\":1000000,").contains("\"freeEgressGb\":1,");
        assertThat(r.text("currency")).isEqualTo("USD");
        String id = r.text("id");
        var got = api().get(OPERATOR_KEY, "/v1/admin/plans/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("pricePerGbMonth").decimalValue()).isEqualByComparingTo("0.35");
        assertThat(got.text("name")).isEqualTo(name);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/plans").json().findValuesAsString("id")).contains(id);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/plans/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void backupStoragePricesDefaultToZeroAndAreValidatedLikeTheOthers() {
        var plain = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(uniqueName(), "0.1"));
        assertThat(plain.status()).as(plain.raw()).isEqualTo(201);
        assertThat(plain.json().get("pricePerGbMonthBackup").decimalValue()).isEqualByComparingTo("0");
        assertThat(plain.json().get("freeBackupGbMonths").decimalValue()).isEqualByComparingTo("0");

        String priced = planJson(uniqueName(), "0.1").replace("}", ",\"pricePerGbMonthBackup\":0.1,"
                + "\"freeBackupGbMonths\":2.5}");
        var r = api().post(OPERATOR_KEY, "/v1/admin/plans", priced);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.raw()).contains("\"pricePerGbMonthBackup\":0.1,").contains("\"freeBackupGbMonths\":2.5,");
        var got = api().get(OPERATOR_KEY, "/v1/admin/plans/" + r.text("id"));
        assertThat(got.json().get("pricePerGbMonthBackup").decimalValue()).isEqualByComparingTo("0.1");

        long before = count("price_plans");
        String[][] bad = {
                {"\"pricePerGbMonthBackup\":-0.1", "pricePerGbMonthBackup"},
                {"\"pricePerGbMonthBackup\":0.0000001", "pricePerGbMonthBackup"},
                {"\"pricePerGbMonthBackup\":\"cheap\"", "pricePerGbMonthBackup"},
                {"\"freeBackupGbMonths\":-1", "freeBackupGbMonths"},
                {"\"freeBackupGbMonths\":100000000000000", "freeBackupGbMonths"},
        };
        for (String[] b : bad) {
            String body = planJson(uniqueName(), "0.1").replace("}", "," + b[0] + "}");
            var refused = api().post(OPERATOR_KEY, "/v1/admin/plans", body);
            assertThat(refused.status()).as(body + " " + refused.raw()).isEqualTo(400);
            assertThat(refused.contentType()).contains("application/problem+json");
            assertThat(refused.json().get("errors").findValuesAsString("field")).as(body).containsExactly(b[1]);
        }
        assertThat(count("price_plans")).isEqualTo(before);
    }

    @Test
    void duplicateNameIsAConflictAndStoresNothing() {
        String name = uniqueName();
        assertThat(api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(name, "0.2")).status()).isEqualTo(201);
        long before = count("price_plans");
        var r = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(name, "0.3"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("name");
        // The same name in other case is the same name to whoever reads an invoice.
        var shouted = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(name.toUpperCase(java.util.Locale.ROOT), "0.3"));
        assertThat(shouted.status()).as(shouted.raw()).isEqualTo(409);
        assertThat(shouted.json().get("detail").asString()).contains("'" + name + "'");
        assertThat(count("price_plans")).isEqualTo(before);
    }

    @Test
    void namesDifferingInCaseRacingEachOtherLeaveOnePlan() throws Exception {
        String name = uniqueName();
        String shouted = name.toUpperCase(Locale.ROOT);
        CyclicBarrier start = new CyclicBarrier(4);
        var creates = Stream.of(name, shouted, name, shouted)
                .map(n -> CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(n, "0.2")).status();
                }))
                .toList();
        var statuses = creates.stream().map(CompletableFuture::join).toList();

        assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
        assertThat(jdbc.queryForObject("select count(*) from price_plans where lower(name) = lower(?)", Long.class, name))
                .isEqualTo(1);
    }

    @Test
    void badPlansAreProblemsNamingTheFieldAndStoreNothing() {
        String valid = planJson(uniqueName(), "0.2");
        String[][] bad = {
                {valid.replace("\"pricePerMillionRequests\":0.2", "\"pricePerMillionRequests\":-0.2"), "pricePerMillionRequests"},
                {valid.replace("\"pricePerCuHour\":0.1", "\"pricePerCuHour\":0.1234567"), "pricePerCuHour"},
                {valid.replace("\"currency\":\"USD\"", "\"currency\":\"usd\""), "currency"},
                {valid.replace("\"currency\":\"USD\"", "\"currency\":\"ABC\""), "currency"},
                {valid.replace("\"currency\":\"USD\"", "\"currency\":\"XAU\""), "currency"},
                {valid.replace("\"freeRequests\":1000000", "\"freeRequests\":1.5"), "freeRequests"},
                {valid.replace("\"freeGbMonths\":0.5", "\"freeGbMonths\":-1"), "freeGbMonths"},
                {valid.replace("\"pricePerGbMonth\":0.35", "\"pricePerGbMonth\":1e20"), "pricePerGbMonth"},
                {valid.replace("\"pricePerGbEgress\":0.09,", ""), "pricePerGbEgress"},
                {valid.replace("\"name\":\"", "\"name\":\" "), "name"},
                {valid.replace("\",\"currency\"", " \",\"currency\""), "name"},
                {valid.replace("\"name\":\"", "\"name\":\"two  spaces "), "name"},
                {valid.replace("\"pricePerCuHour\":0.1", "\"pricePerCuHour\":\"cheap\""), "pricePerCuHour"},
                {valid.replace("\"freeCuHours\":0.5", "\"freeCuHours\":0.5,\"discount\":3"), "discount"},
                {"{}", "name"},
        };
        long before = count("price_plans");
        for (String[] b : bad) {
            var r = api().post(OPERATOR_KEY, "/v1/admin/plans", b[0]);
            assertThat(r.status()).as(b[0] + " " + r.raw()).isEqualTo(400);
            assertThat(r.contentType()).contains("application/problem+json");
            assertThat(r.json().get("errors").findValuesAsString("field")).as(b[0]).contains(b[1]);
        }
        // Everything missing is reported at once.
        var all = api().post(OPERATOR_KEY, "/v1/admin/plans", "{}");
        assertThat(all.json().get("errors").findValuesAsString("field")).contains("name", "currency",
                "pricePerMillionRequests", "pricePerCuHour", "pricePerGbMonth", "pricePerGbEgress", "freeRequests",
                "freeCuHours", "freeGbMonths", "freeEgressGb");
        assertThat(count("price_plans")).isEqualTo(before);
    }

    @Test
    void tenantsCannotUseTheAdminPlanEndpoints() {
        TestTenant t = newTenant();
        String plan = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(uniqueName(), "0.2")).text("id");
        long before = count("price_plans");
        for (String key : new String[] {t.adminKey(), t.readKey()}) {
            assertThat(api().post(key, "/v1/admin/plans", planJson(uniqueName(), "0.2")).status()).isEqualTo(403);
            assertThat(api().get(key, "/v1/admin/plans").status()).isEqualTo(403);
            assertThat(api().get(key, "/v1/admin/plans/" + plan).status()).isEqualTo(403);
            var put = api().send(key, "PUT", "/v1/tenants/" + t.id() + "/plan", ApiClient.json("planId", plan), Map.of());
            assertThat(put.status()).isEqualTo(403);
        }
        assertThat(count("price_plans")).isEqualTo(before);
        assertThat(api().get(t.readKey(), "/v1/tenants/" + t.id() + "/plan").json().get("plan").isNull()).isTrue();
    }

    @Test
    void operatorAssignsAPlanAndTheTenantSeesIt() {
        TestTenant t = newTenant();
        TestTenant other = newTenant();
        String plan = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(uniqueName(), "0.2")).text("id");
        var r = api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/plan", ApiClient.json("planId", plan), Map.of());
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.at("/plan/id").asString()).isEqualTo(plan);
        assertThat(r.text("tenantId")).isEqualTo(t.id());
        assertThat(jdbc.queryForObject("select plan_id::text from tenant_plan_history where tenant_id = ?::uuid",
                String.class, t.id())).isEqualTo(plan);
        assertThat(api().get(t.readKey(), "/v1/tenants/" + t.id() + "/plan").at("/plan/id").asString()).isEqualTo(plan);
        // Another tenant's plan is not found, not forbidden.
        assertThat(api().get(other.readKey(), "/v1/tenants/" + t.id() + "/plan").status()).isEqualTo(404);
        // Assigning the same plan again changes nothing.
        api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/plan", ApiClient.json("planId", plan), Map.of());
        assertThat(jdbc.queryForObject("select count(*) from tenant_plan_history where tenant_id = ?::uuid", Long.class, t.id()))
                .isEqualTo(1);
    }

    @Test
    void assigningAnUnknownPlanOrToAnUnknownTenantIsRefused() {
        TestTenant t = newTenant();
        String plan = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson(uniqueName(), "0.2")).text("id");
        var unknownPlan = api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/plan",
                ApiClient.json("planId", UUID.randomUUID().toString()), Map.of());
        assertThat(unknownPlan.status()).isEqualTo(400);
        assertThat(unknownPlan.json().get("errors").findValuesAsString("field")).containsExactly("planId");
        var missing = api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/plan", "{}", Map.of());
        assertThat(missing.status()).isEqualTo(400);
        var notUuid = api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/plan", ApiClient.json("planId", "gold"), Map.of());
        assertThat(notUuid.status()).isEqualTo(400);
        var unknownTenant = api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + UUID.randomUUID() + "/plan",
                ApiClient.json("planId", plan), Map.of());
        assertThat(unknownTenant.status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from tenant_plan_history where tenant_id = ?::uuid", Long.class,
                t.id())).isZero();
    }

    @Test
    void onlyAPlanNoTenantWasEverOnCanBeDeleted() {
        String unused = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson("unused-" + UUID.randomUUID(), "0.1"))
                .text("id");
        String used = api().post(OPERATOR_KEY, "/v1/admin/plans", planJson("used-" + UUID.randomUUID(), "0.1"))
                .text("id");
        TestTenant t = newTenant();
        assertThat(api().send(OPERATOR_KEY, "PUT", "/v1/tenants/" + t.id() + "/plan", ApiClient.json("planId", used),
                Map.of()).status()).isEqualTo(200);

        var refused = api().delete(OPERATOR_KEY, "/v1/admin/plans/" + used);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.raw()).contains("plan-in-use");
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/plans/" + used).status()).isEqualTo(200);
        assertThat(api().delete(t.adminKey(), "/v1/admin/plans/" + unused).status()).isEqualTo(403);

        assertThat(api().delete(OPERATOR_KEY, "/v1/admin/plans/" + unused).status()).isEqualTo(204);
        assertThat(api().get(OPERATOR_KEY, "/v1/admin/plans/" + unused).status()).isEqualTo(404);
        assertThat(api().delete(OPERATOR_KEY, "/v1/admin/plans/" + unused).status()).isEqualTo(404);
    }
}
