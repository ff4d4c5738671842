package io.stratus.controlplane.audit;

import io.swagger.v3.oas.annotations.media.Schema;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** The audit trail: written once per change request, read by tenants (their own) and the operator (all). */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    private final Clock clock;

    AuditLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One event as the API shows it. */
    public record AuditEvent(UUID id, Instant at, String actor, UUID keyId, UUID tenantId, String action,
                             String targetId, int status, String requestId) {
    }

    /** A page of events, newest first. */
    @Schema(name = "AuditEventPage") // the OpenAPI document names schemas by simple name: databases have a Page too
    public record Page(List<AuditEvent> items, int page, int size, long total) {
    }

    /** What to look for; null fields match anything. */
    record Filter(UUID tenantId, Instant from, Instant to, String action, String targetId) {
    }

    /** Records an event in a transaction of its own: the change it records has committed or rolled back already. */
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(String actor, UUID keyId, UUID tenantId, String action, String targetId, int status, String requestId) {
        jdbc.sql("insert into audit_events (id, at, actor, key_id, tenant_id, action, target_id, status, request_id) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(UUID.randomUUID(), Timestamp.from(clock.instant()), actor, keyId, tenantId, action, targetId,
                        status, requestId)
                .update();
    }

    @Transactional(readOnly = true)
    Page find(Filter f, int page, int size) {
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder(" where true");
        if (f.tenantId() != null) {
            where.append(" and tenant_id = ?");
            params.add(f.tenantId());
        }
        if (f.from() != null) {
            where.append(" and at >= ?");
            params.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            where.append(" and at < ?");
            params.add(Timestamp.from(f.to()));
        }
        if (f.action() != null) {
            where.append(" and action = ?");
            params.add(f.action());
        }
        if (f.targetId() != null) {
            where.append(" and target_id = ?");
            params.add(f.targetId());
        }
        long total = jdbc.sql("select count(*) from audit_events" + where).params(params).query(Long.class).single();
        List<Object> paged = new ArrayList<>(params);
        paged.add(size);
        paged.add((long) page * size);
        List<AuditEvent> items = jdbc.sql("select id, at, actor, key_id, tenant_id, action, target_id, status, request_id "
                        + "from audit_events" + where + " order by at desc, id limit ? offset ?")
                .params(paged).query(AuditLog::event).list();
        return new Page(items, page, size, total);
    }

    /** Deletes events older than the retention; returns how many. */
    @Transactional
    int purgeOlderThan(Duration retention) {
        return jdbc.sql("delete from audit_events where at < ?").param(Timestamp.from(clock.instant().minus(retention)))
                .update();
    }

    private static AuditEvent event(ResultSet rs, int row) throws SQLException {
        return new AuditEvent(rs.getObject("id", UUID.class), rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                rs.getObject("key_id", UUID.class), rs.getObject("tenant_id", UUID.class), rs.getString("action"),
                rs.getString("target_id"), rs.getInt("status"), rs.getString("request_id"));
    }
}
