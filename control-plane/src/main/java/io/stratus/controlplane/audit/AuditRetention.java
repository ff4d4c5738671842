package io.stratus.controlplane.audit;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Keeps the audit trail for {@code stratus.audit.retention} (default 400 days: a year and its month of review). */
@Component
class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);

    private final AuditLog audit;
    private final Duration retention;

    AuditRetention(AuditLog audit, @Value("${stratus.audit.retention:400d}") Duration retention) {
        this.audit = audit;
        this.retention = retention;
    }

    @Scheduled(fixedDelayString = "${stratus.audit.purge-interval:1h}")
    void purge() {
        int n = audit.purgeOlderThan(retention);
        if (n > 0) {
            log.info("purged {} audit event(s) older than {}", n, retention);
        }
    }
}
