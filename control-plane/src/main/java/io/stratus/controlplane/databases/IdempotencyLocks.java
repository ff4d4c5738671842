package io.stratus.controlplane.databases;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * One request at a time per {@code Idempotency-Key}: a transaction-scoped advisory lock per (tenant, key), tried
 * before the key is looked up. Without it, concurrent first uses of a key each found no record, each inserted the
 * database, and met on the live-name index while holding node rows: a deadlock, answered 500. A request that finds
 * the lock held is not made to wait its turn (as Stripe's API, it is told the key is in use): had it waited, it would
 * replay and rotate the password the one holding the lock is about to hand out.
 */
@Component
class IdempotencyLocks {

    /** First key of the two-key advisory lock, distinct from the schema's others ("Idem"). */
    static final int NAMESPACE = 0x4964656d;

    private final JdbcTemplate jdbc;

    IdempotencyLocks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Takes, and holds until commit, the lock of this tenant's key; false (at once) when another request holds it. Two
     * keys sharing a hash are refused while the other runs: rare, and told to retry.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean tryLock(UUID tenantId, String key) {
        int hash = Arrays.hashCode((tenantId + "\u0000" + key).getBytes(StandardCharsets.UTF_8));
        return Boolean.TRUE.equals(jdbc.queryForObject("select pg_try_advisory_xact_lock(?, ?)", Boolean.class,
                NAMESPACE, hash));
    }
}
