package io.stratus.controlplane.databases;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code stratus.idempotency.*}.
 *
 * @param reissueAfter how long after a create (or replay) under an {@code Idempotency-Key} handed out a password a
 *                     replay may issue another one; sooner, it is a 409 {@code idempotency-key-in-use} with
 *                     {@code Retry-After}. Passwords are never stored, so a replay must rotate, which would silently
 *                     break the password of a duplicate sent at the same time; a client that lost its response
 *                     retries later than this
 */
@ConfigurationProperties("stratus.idempotency")
public record IdempotencySettings(@DefaultValue("5s") Duration reissueAfter) {

    public IdempotencySettings {
        if (reissueAfter.isNegative()) {
            throw new IllegalArgumentException("stratus.idempotency.reissue-after must not be negative");
        }
    }
}
