package io.stratus.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The filter's decisions, request by request, with buckets small enough to empty in a test and a clock that only moves
 * when the test says (a slow run must not refill them).
 */
class RateLimitFilterTests {

    /** Nanoseconds, moved by hand. */
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TimeMeter clock = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return now.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };

    private static final UUID TENANT_A = UUID.randomUUID();
    private static final UUID TENANT_B = UUID.randomUUID();
    private final AtomicInteger served = new AtomicInteger();

    private MockHttpServletResponse call(RateLimitFilter filter, Caller caller) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/databases");
        request.setAttribute(Caller.ATTRIBUTE, caller);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, new MockFilterChain() {
            @Override
            public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res) {
                served.incrementAndGet();
            }
        });
        return response;
    }

    @Test
    void aKeyOverItsBurstIsRefusedWithRetryAfterAndAProblemAndOthersAreNot() throws Exception {
        // 1 request per second, bursts of 3, per key; tenants roomy.
        RateLimitFilter filter = new RateLimitFilter(new RateLimitSettings(true, 1, 3, 100, 100, 1, 16, 32), clock);
        Caller a = new Caller(UUID.randomUUID(), Role.TENANT_ADMIN, TENANT_A);
        Caller b = new Caller(UUID.randomUUID(), Role.TENANT_ADMIN, TENANT_B);

        for (int i = 0; i < 3; i++) {
            MockHttpServletResponse ok = call(filter, a);
            assertThat(ok.getStatus()).isEqualTo(200);
            assertThat(ok.getHeader("RateLimit-Limit")).isEqualTo("1");
            assertThat(ok.getHeader("RateLimit-Remaining")).isEqualTo(String.valueOf(2 - i));
        }
        MockHttpServletResponse refused = call(filter, a);

        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getContentType()).startsWith("application/problem+json");
        assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
        JsonNode problem = JsonMapper.builder().build().readTree(refused.getContentAsString());
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asString()).contains("this API key").contains("1 requests per second");
        assertThat(served).as("the refused request ran nothing").hasValue(3);
        assertThat(call(filter, b).getStatus()).as("another tenant's key has its own bucket").isEqualTo(200);
        now.addAndGet(1_000_000_000L);
        assertThat(call(filter, a).getStatus()).as("a second later, one more").isEqualTo(200);
        assertThat(call(filter, a).getStatus()).isEqualTo(429);
        Caller operator = new Caller(UUID.randomUUID(), Role.OPERATOR, null);
        for (int i = 0; i < 10; i++) {
            MockHttpServletResponse op = call(filter, operator);
            assertThat(op.getStatus()).isEqualTo(200);
            assertThat(op.getHeader("RateLimit-Limit")).as("the operator is not limited").isNull();
        }
    }

    @Test
    void aTenantsKeysShareTheTenantsBucketAndARefusalByItDoesNotChargeTheKey() throws Exception {
        RateLimitFilter filter = new RateLimitFilter(new RateLimitSettings(true, 100, 100, 1, 2, 1, 16, 32), clock);
        Caller first = new Caller(UUID.randomUUID(), Role.TENANT_ADMIN, TENANT_A);
        Caller second = new Caller(UUID.randomUUID(), Role.TENANT_READ, TENANT_A);

        assertThat(call(filter, first).getStatus()).isEqualTo(200);
        assertThat(call(filter, second).getStatus()).isEqualTo(200);
        MockHttpServletResponse refused = call(filter, first);

        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getContentAsString()).contains("this tenant");
        assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
    }

    @Test
    void eachReplicaEnforcesItsShare() throws Exception {
        RateLimitFilter filter = new RateLimitFilter(new RateLimitSettings(true, 10, 4, 100, 100, 2, 16, 32), clock);
        Caller a = new Caller(UUID.randomUUID(), Role.TENANT_ADMIN, TENANT_A);

        MockHttpServletResponse first = call(filter, a);
        assertThat(first.getHeader("RateLimit-Limit")).isEqualTo("5");
        assertThat(call(filter, a).getStatus()).isEqualTo(200);
        assertThat(call(filter, a).getStatus()).as("half of a burst of 4").isEqualTo(429);
    }

    @Test
    void aKeyOrTenantWithAllItsPlacesInFlightIsRefusedUntilOneEndsAndOtherTenantsAreNot() throws Exception {
        // At most 2 requests of one key at once, and 2 of one tenant.
        RateLimitFilter filter = new RateLimitFilter(new RateLimitSettings(true, 100, 100, 100, 100, 1, 2, 2), clock);
        Caller slow = new Caller(UUID.randomUUID(), Role.TENANT_ADMIN, TENANT_A);
        Caller other = new Caller(UUID.randomUUID(), Role.TENANT_READ, TENANT_A);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<java.util.concurrent.Future<Integer>> held = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(pool.submit(() -> {
                MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/databases");
                request.setAttribute(Caller.ATTRIBUTE, slow);
                MockHttpServletResponse response = new MockHttpServletResponse();
                filter.doFilter(request, response, new MockFilterChain() {
                    @Override
                    public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res) {
                        inside.countDown();
                        try {
                            release.await(); // a body that takes its time
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                return response.getStatus();
            }));
        }
        inside.await();

        int servedBefore = served.get();
        MockHttpServletResponse third = call(filter, slow);
        MockHttpServletResponse byOtherKey = call(filter, other);
        MockHttpServletResponse otherTenant = call(filter, new Caller(UUID.randomUUID(), Role.TENANT_READ, TENANT_B));

        assertThat(third.getStatus()).isEqualTo(429);
        assertThat(third.getHeader("Retry-After")).isEqualTo("1");
        assertThat(third.getContentAsString()).contains("too-many-in-flight").contains("this API key has 2 requests");
        assertThat(byOtherKey.getStatus()).isEqualTo(429);
        assertThat(byOtherKey.getContentAsString()).contains("this tenant has 2 requests");
        assertThat(otherTenant.getStatus()).isEqualTo(200);
        assertThat(served.get() - servedBefore).as("the refused ones ran nothing").isEqualTo(1);
        release.countDown();
        for (var h : held) {
            assertThat(h.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
        }
        pool.shutdown();
        assertThat(call(filter, slow).getStatus()).as("its places are free again").isEqualTo(200);
        assertThat(call(filter, other).getStatus()).isEqualTo(200);
    }
}
