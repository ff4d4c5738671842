package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.UsageUnits;
import io.stratus.controlplane.web.ApiException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import io.stratus.controlplane.tenants.TenantDirectory;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Price plans and which tenant is on which: the entry point of the billing feature for plans. Plans are never
 * updated; assignments are kept as a history so that a month that has ended stays priced by the plan it ended on.
 */
@Service
public class PricePlans {

    private final JdbcClient jdbc;
    private final TenantDirectory tenants;
    private final Clock clock;

    PricePlans(JdbcClient jdbc, TenantDirectory tenants, Clock clock) {
        this.jdbc = jdbc;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** A tenant's current plan as the API shows it; {@code plan} is null before the first assignment. */
    public record TenantPlan(UUID tenantId, PricePlan plan, Instant assignedAt) {
    }

    /** One assignment of a plan to a tenant, effective from {@code assignedAt}. */
    record Assignment(Instant assignedAt, UUID planId) {
    }

    @Transactional
    PricePlan create(PlanRequests.ValidPlan p) {
        // Names differing only in case are one name to a reader of an invoice: the second is refused, naming the first.
        findByName(p.name()).ifPresent(existing -> {
            throw duplicate(existing.name());
        });
        UUID id = UUID.randomUUID();
        // Stored at the column's scale but shown as given: plain() on the way out drops the padding again.
        Instant now = clock.instant();
        try {
            jdbc.sql("insert into price_plans (id, name, currency, price_per_million_requests, price_per_cu_hour, "
                            + "price_per_gb_month, price_per_gb_egress, free_requests, free_cu_hours, free_gb_months, "
                            + "free_egress_gb, price_per_gb_month_backup, free_backup_gb_months, created_at) "
                            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(id, p.name(), p.currency(), p.pricePerMillionRequests(), p.pricePerCuHour(), p.pricePerGbMonth(),
                            p.pricePerGbEgress(), p.freeRequests(), p.freeCuHours(), p.freeGbMonths(), p.freeEgressGb(),
                            p.pricePerGbMonthBackup(), p.freeBackupGbMonths(), Timestamp.from(now))
                    .update();
        } catch (DuplicateKeyException e) {
            // Two creates of one name racing, in any case: the unique index on lower(name) decides, the loser hears the
            // same 409.
            throw duplicate(p.name());
        }
        return find(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    List<PricePlan> list() {
        return jdbc.sql("select * from price_plans order by created_at, name").query(PricePlans::plan).list();
    }

    /**
     * Deletes a plan no tenant was ever on: one that priced any month (its assignment history) stays, so that every
     * invoice keeps naming the prices it was computed with.
     *
     * @return false when there is no such plan
     */
    @Transactional
    boolean delete(UUID id) {
        if (jdbc.sql("select id from price_plans where id = ? for update").param(id).query(UUID.class).optional()
                .isEmpty()) {
            return false;
        }
        // The history holds every assignment, the current one included.
        long uses = jdbc.sql("select count(*) from tenant_plan_history where plan_id = ?").param(id).query(Long.class)
                .single();
        if (uses > 0) {
            throw ApiException.conflict("plan-in-use", "the plan prices (or priced) a tenant's usage; it is kept so"
                    + " that invoices name the prices they were computed with", null);
        }
        jdbc.sql("delete from price_plans where id = ?").param(id).update();
        return true;
    }

    @Transactional(readOnly = true)
    public Optional<PricePlan> find(UUID id) {
        return jdbc.sql("select * from price_plans where id = ?").params(id).query(PricePlans::plan).optional();
    }

    private Optional<PricePlan> findByName(String name) {
        return jdbc.sql("select * from price_plans where lower(name) = lower(?) limit 1").params(name)
                .query(PricePlans::plan).optional();
    }

    /**
     * Puts a tenant on a plan from now on. The caller has checked that the tenant exists and may be changed.
     * Assigning the plan a tenant is already on changes nothing.
     */
    @Transactional
    TenantPlan assign(UUID tenantId, UUID planId) {
        PricePlan plan = find(planId).orElseThrow(() -> ApiException.invalid("planId", "no such plan"));
        // Row lock on the tenant: two concurrent assignments are serialised, so each sees the other's history row.
        tenants.lockForUpdate(tenantId);
        Optional<Assignment> last = jdbc.sql("select assigned_at, plan_id from tenant_plan_history where tenant_id = ? "
                        + "order by assigned_at desc limit 1")
                .params(tenantId).query(PricePlans::assignment).optional();
        if (last.isPresent() && last.get().planId().equals(planId)) {
            return new TenantPlan(tenantId, plan, last.get().assignedAt());
        }
        Instant now = clock.instant();
        if (last.isPresent() && !now.isAfter(last.get().assignedAt())) {
            // Keeps the history strictly ordered even if the clock stands still or steps back.
            now = last.get().assignedAt().plusNanos(1000);
        }
        jdbc.sql("insert into tenant_plan_history (tenant_id, assigned_at, plan_id) values (?, ?, ?)")
                .params(tenantId, Timestamp.from(now), planId).update();
        return new TenantPlan(tenantId, plan, now);
    }

    @Transactional(readOnly = true)
    TenantPlan currentPlan(UUID tenantId) {
        List<Assignment> history = history(tenantId);
        if (history.isEmpty()) {
            return new TenantPlan(tenantId, null, null);
        }
        Assignment last = history.get(history.size() - 1);
        return new TenantPlan(tenantId, find(last.planId()).orElseThrow(), last.assignedAt());
    }

    /** The tenant's assignments, oldest first. */
    @Transactional(readOnly = true)
    List<Assignment> history(UUID tenantId) {
        return jdbc.sql("select assigned_at, plan_id from tenant_plan_history where tenant_id = ? order by assigned_at")
                .params(tenantId).query(PricePlans::assignment).list();
    }

    private static Assignment assignment(ResultSet rs, int row) throws SQLException {
        return new Assignment(rs.getTimestamp("assigned_at").toInstant(), rs.getObject("plan_id", UUID.class));
    }

    private static ApiException duplicate(String name) {
        return ApiException.conflict("plan-exists", "a plan named '" + name + "' exists (names are compared ignoring case)",
                "name");
    }

    private static PricePlan plan(ResultSet rs, int row) throws SQLException {
        return new PricePlan(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("currency"),
                UsageUnits.plain(rs.getBigDecimal("price_per_million_requests")), UsageUnits.plain(rs.getBigDecimal("price_per_cu_hour")),
                UsageUnits.plain(rs.getBigDecimal("price_per_gb_month")), UsageUnits.plain(rs.getBigDecimal("price_per_gb_egress")),
                rs.getLong("free_requests"), UsageUnits.plain(rs.getBigDecimal("free_cu_hours")),
                UsageUnits.plain(rs.getBigDecimal("free_gb_months")), UsageUnits.plain(rs.getBigDecimal("free_egress_gb")),
                UsageUnits.plain(rs.getBigDecimal("price_per_gb_month_backup")),
                UsageUnits.plain(rs.getBigDecimal("free_backup_gb_months")), rs.getTimestamp("created_at").toInstant());
    }
}
