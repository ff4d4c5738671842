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
import java.util.concurrent.Semaphore;
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
    private final Map<UUID, Semaphore> keysInFlight = new ConcurrentHashMap<>();
    private final Map<UUID, Semaphore> tenantsInFlight = new ConcurrentHashMap<>();

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
            inFlight(caller, request, response, chain);
            return;
        }
        response.setHeader("Retry-After", String.valueOf(waitSeconds));
        Problems.write(response, 429, "rate-limited", "Too many requests", (keyTighter ? "this API key" : "this tenant")
                + " is over its limit of " + limit + " requests per second; retry after " + waitSeconds + " s");
    }

    /**
     * Runs the request if the key and its tenant have a place free among their requests in flight. A request whose
     * body arrives a byte at a time holds a servlet thread until it is read: without a cap, one key's slow uploads
     * could hold every thread (an attack pass did it with 220 connections).
     */
    private void inFlight(Caller caller, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Semaphore key = keysInFlight.computeIfAbsent(caller.keyId(), id -> new Semaphore(settings.keyConcurrency()));
        Semaphore tenant = tenantsInFlight.computeIfAbsent(caller.tenantId(),
                id -> new Semaphore(settings.tenantConcurrency()));
        if (!key.tryAcquire()) {
            tooManyInFlight(response, "this API key", settings.keyConcurrency());
            return;
        }
        try {
            if (!tenant.tryAcquire()) {
                tooManyInFlight(response, "this tenant", settings.tenantConcurrency());
                return;
            }
            try {
                chain.doFilter(request, response);
            } finally {
                tenant.release();
            }
        } finally {
            key.release();
        }
    }

    private static void tooManyInFlight(HttpServletResponse response, String who, int cap) throws IOException {
        response.setHeader("Retry-After", "1");
        Problems.write(response, 429, "too-many-in-flight", "Too many requests at once", who + " has " + cap
                + " requests in progress, the most it may have at once; retry when one has finished");
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
