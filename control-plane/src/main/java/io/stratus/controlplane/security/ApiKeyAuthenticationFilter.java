package io.stratus.controlplane.security;

import io.stratus.controlplane.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code /v1/**} with a tenant or operator API key ({@code Authorization: Bearer stk_...}); node
 * credentials are not API keys and are refused here, as API keys are on {@code /agent/**}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {


    private final ApiKeys apiKeys;
    private final KeyUsage usage;

    ApiKeyAuthenticationFilter(ApiKeys apiKeys, KeyUsage usage) {
        this.apiKeys = apiKeys;
        this.usage = usage;
    }

    /** The caller this filter authenticated: every /v1 request that reaches a handler has one. */
    static Caller callerOf(HttpServletRequest request) {
        return Caller.of(request)
                .orElseThrow(() -> new IllegalStateException("no authenticated caller on " + request.getRequestURI()));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Caller> caller = bearer(request).flatMap(apiKeys::authenticate);
        if (caller.isEmpty()) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"stratus\"");
            Problems.write(response, 401, "unauthorized", "Unauthorized", "a valid API key is required: Authorization: Bearer <key>");
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller.get());
        usage.used(caller.get().keyId());
        MDC.put("tenant", String.valueOf(caller.get().tenantId()));
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("tenant");
        }
    }

    static Optional<String> bearer(HttpServletRequest request) {
        String h = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return Optional.of(h.substring(7).trim());
    }
}
