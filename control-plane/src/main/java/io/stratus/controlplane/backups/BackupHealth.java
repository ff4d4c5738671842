package io.stratus.controlplane.backups;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stratus.controlplane.databases.BackupSummaries;
import io.stratus.controlplane.databases.DatabaseDirectory;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Whether each database's backups are what they should be, for its view ({@code backupStatus}) and for alerting
 * ({@code stratus.backups.unhealthy}: live databases whose backups are STALE or FAILING, refreshed every minute).
 * FAILING: the latest backup, or the latest verification, failed. NONE: no good backup yet (a database with a policy
 * that has had twice its period to take one is STALE instead: a schedule that never worked is not quiet). STALE: the
 * last good backup is older than twice the policy's period (or {@code stratus.backups.stale-after} without one).
 */
@Service
class BackupHealth implements BackupSummaries {

    private static final Logger log = LoggerFactory.getLogger(BackupHealth.class);

    private final BackupRecords records;
    private final BackupPolicies policies;
    private final ConfiguredStore store;
    private final DatabaseDirectory databases;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final AtomicInteger unhealthy = new AtomicInteger();

    BackupHealth(BackupRecords records, BackupPolicies policies, ConfiguredStore store, DatabaseDirectory databases,
                 JdbcClient jdbc, Clock clock, MeterRegistry meters) {
        this.records = records;
        this.policies = policies;
        this.store = store;
        this.databases = databases;
        this.jdbc = jdbc;
        this.clock = clock;
        Gauge.builder("stratus.backups.unhealthy", unhealthy, AtomicInteger::get)
                .description("live databases whose backups are STALE or FAILING")
                .register(meters);
    }

    @Override
    @Transactional(readOnly = true)
    public Map<UUID, BackupSummary> summaries(Collection<UUID> databaseIds) {
        Map<UUID, BackupSummary> summaries = new HashMap<>();
        if (!store.configured() || databaseIds.isEmpty()) {
            return summaries;
        }
        Map<UUID, Backup> latest = byDatabase(records.latestAttempts(databaseIds));
        Map<UUID, Backup> verified = byDatabase(records.latestVerifications(databaseIds));
        Map<UUID, Backup> newestGood = new HashMap<>();
        for (Backup b : records.keptOf(databaseIds)) {
            if (b.good()) {
                Backup seen = newestGood.get(b.databaseId());
                if (seen == null || b.stoppedAt().isAfter(seen.stoppedAt())) {
                    newestGood.put(b.databaseId(), b);
                }
            }
        }
        Map<UUID, Policy> policyOf = policies(databaseIds);
        Instant now = clock.instant();
        for (UUID id : databaseIds) {
            Backup good = newestGood.get(id);
            Policy policy = policyOf.get(id);
            BackupStatus status;
            Backup last = latest.get(id);
            Backup lastVerified = verified.get(id);
            if ((last != null && last.state().equals("FAILED"))
                    || (lastVerified != null && lastVerified.verification().condemns())) {
                status = BackupStatus.FAILING;
            } else if (good == null) {
                boolean overdue = policy != null
                        && policy.since().plus(policies.staleAfter(Optional.of(policy.policy()))).isBefore(now);
                status = overdue ? BackupStatus.STALE : BackupStatus.NONE;
            } else {
                var staleAfter = policies.staleAfter(Optional.ofNullable(policy).map(Policy::policy));
                status = good.stoppedAt().plus(staleAfter).isBefore(now) ? BackupStatus.STALE : BackupStatus.OK;
            }
            summaries.put(id, new BackupSummary(status, good == null ? null : good.id(),
                    good == null ? null : good.stoppedAt()));
        }
        return summaries;
    }

    /** A policy and since when it has been in force. */
    private record Policy(BackupPolicy policy, Instant since) {
    }

    private Map<UUID, Policy> policies(Collection<UUID> databaseIds) {
        Map<UUID, Policy> policies = new HashMap<>();
        jdbc.sql("select database_id, schedule, retention_days, updated_at from backup_policies where database_id = any(?)")
                .param(databaseIds.toArray(UUID[]::new))
                .query(rs -> {
                    policies.put(rs.getObject(1, UUID.class), new Policy(new BackupPolicy(rs.getString(2), rs.getInt(3)),
                            rs.getTimestamp(4).toInstant()));
                });
        return policies;
    }

    private static Map<UUID, Backup> byDatabase(List<Backup> backups) {
        Map<UUID, Backup> map = new HashMap<>();
        backups.forEach(b -> map.put(b.databaseId(), b));
        return map;
    }

    /** Recounts the live databases whose backups are STALE or FAILING, for the gauge. */
    @Scheduled(fixedDelayString = "${stratus.backups.health-interval:60s}", initialDelayString = "${stratus.backups.health-interval:60s}")
    void refresh() {
        unhealthy.set(countUnhealthy());
    }

    @Transactional(readOnly = true)
    int countUnhealthy() {
        if (!store.configured()) {
            return 0;
        }
        List<UUID> candidates = jdbc.sql("select database_id from backup_policies union select distinct database_id "
                + "from backups").query(UUID.class).list();
        Collection<UUID> live = databases.live(candidates);
        int n = (int) summaries(live).values().stream()
                .filter(s -> s.status() == BackupStatus.STALE || s.status() == BackupStatus.FAILING).count();
        if (n > 0) {
            log.warn("{} live database(s) with STALE or FAILING backups", n);
        }
        return n;
    }
}
