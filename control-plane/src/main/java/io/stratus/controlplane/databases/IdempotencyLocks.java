package io.stratus.controlplane.databases;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Requests with the same {@code Idempotency-Key} take turns: a transaction-scoped advisory lock per (tenant, key),
 * taken before the key is looked up. Without it, concurrent first uses of a key each found no record, each inserted
 * the database, and met on the live-name index while holding node rows: a deadlock, answered 500. In turn, the first
 * creates and every later one finds its record and replays.
 */
@Component
class IdempotencyLocks {

    /** First key of the two-key advisory lock, distinct from the schema's others ("Idem"). */
    static final int NAMESPACE = 0x4964656d;

    private final JdbcTemplate jdbc;

    IdempotencyLocks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Waits for, then holds until commit, the lock of this tenant's key. Two keys sharing a hash only take turns. */
    @Transactional(propagation = Propagation.MANDATORY)
    void lock(UUID tenantId, String key) {
        int hash = Arrays.hashCode((tenantId + "\u0000" + key).getBytes(StandardCharsets.UTF_8));
        jdbc.queryForObject("select 1 from pg_advisory_xact_lock(?, ?)", Integer.class, NAMESPACE, hash);
    }
}
