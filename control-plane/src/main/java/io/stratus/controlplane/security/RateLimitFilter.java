package io.stratus.controlplane.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.stratus.controlplane.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Holds each API key, and each tenant's keys together, to their request rates ({@link RateLimitSettings}): a request
 * over either is answered 429 with {@code Retry-After} and a problem, before anything else runs. Every limited answer
 * says where the caller stands ({@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset}, as the
 * IETF RateLimit header fields draft names them), for the tighter of its two buckets.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20) // after authentication, which names the caller
class RateLimitFilter extends OncePerRequestFilter {

    private final RateLimitSettings settings;
    private final TimeMeter time;
    private final Map<UUID, Bucket> keys = new ConcurrentHashMap<>();
    private final Map<UUID, Bucket> tenants = new ConcurrentHashMap<>();

    @Autowired
    RateLimitFilter(RateLimitSettings settings) {
        this(settings, TimeMeter.SYSTEM_NANOTIME);
    }

    /** @param time what the buckets refill by: a test holds it still, or moves it. */
    RateLimitFilter(RateLimitSettings settings, TimeMeter time) {
        this.settings = settings;
        this.time = time;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !settings.enabled() || !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Caller caller = Caller.of(request).orElse(null);
        if (caller == null || caller.isOperator()) {
            chain.doFilter(request, response);
            return;
        }
        Bucket key = keys.computeIfAbsent(caller.keyId(), id -> bucket(settings.keyPerSecond(), settings.keyBurst()));
        Bucket tenant = tenants.computeIfAbsent(caller.tenantId(),
                id -> bucket(settings.tenantPerSecond(), settings.tenantBurst()));
        ConsumptionProbe byKey = key.tryConsumeAndReturnRemaining(1);
        ConsumptionProbe byTenant = byKey.isConsumed() ? tenant.tryConsumeAndReturnRemaining(1) : null;
        if (byTenant != null && !byTenant.isConsumed()) {
            key.addTokens(1); // refused: the key is not charged for it
        }
        boolean keyTighter = byTenant == null || byKey.getRemainingTokens() <= byTenant.getRemainingTokens();
        ConsumptionProbe tighter = keyTighter ? byKey : byTenant;
        int limit = keyTighter ? share(settings.keyPerSecond()) : share(settings.tenantPerSecond());
        response.setHeader("RateLimit-Limit", String.valueOf(limit));
        response.setHeader("RateLimit-Remaining", String.valueOf(Math.max(0, tighter.getRemainingTokens())));
        long waitSeconds = Math.max(1, (tighter.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
        response.setHeader("RateLimit-Reset", String.valueOf(tighter.isConsumed() ? 1 : waitSeconds));
        if (tighter.isConsumed()) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Retry-After", String.valueOf(waitSeconds));
        Problems.write(response, 429, "rate-limited", "Too many requests", (keyTighter ? "this API key" : "this tenant")
                + " is over its limit of " + limit + " requests per second; retry after " + waitSeconds + " s");
    }

    /** This replica's share of a rate. */
    private int share(int perSecond) {
        return Math.max(1, perSecond / settings.replicas());
    }

    private Bucket bucket(int perSecond, int burst) {
        int rate = share(perSecond);
        int capacity = Math.max(1, burst / settings.replicas());
        return Bucket.builder().addLimit(limit -> limit.capacity(capacity).refillGreedy(rate, Duration.ofSeconds(1)))
                .withCustomTimePrecision(time).build();
    }
}
