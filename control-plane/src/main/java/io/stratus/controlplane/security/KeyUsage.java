package io.stratus.controlplane.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Keeps each key's {@code lastUsedAt}, cheaply: a key's row is written at most once per {@link #EVERY} by this control
 * plane, not on every request (a busy key would otherwise make every read a write on one hot row).
 */
@Component
class KeyUsage {

    static final Duration EVERY = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(KeyUsage.class);

    private final ApiKeyRepository keys;
    private final Clock clock;
    private final Map<UUID, Instant> written = new ConcurrentHashMap<>();

    KeyUsage(ApiKeyRepository keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** Called on every authenticated request: only one in a minute per key reaches the database. */
    void used(UUID keyId) {
        Instant now = clock.instant();
        Instant last = written.get(keyId);
        if (last != null && now.isBefore(last.plus(EVERY))) {
            return;
        }
        written.put(keyId, now);
        try {
            keys.markUsed(keyId, now);
        } catch (RuntimeException e) {
            // Bookkeeping only: the request goes on; the next minute tries again.
            written.remove(keyId);
            log.warn("cannot record the use of key {}: {}", keyId, e.getMessage());
        }
    }
}
