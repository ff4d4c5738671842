package io.stratus.controlplane.audit;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.RequestIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Records every change request on the API, allowed or refused, once it has been answered: who (the key, or the
 * operator), what (method and route), the target (the route's last id, else the one the answer's Location points to),
 * the status and the request id. First in the chain, so an attempt the operator-only check refuses is recorded too.
 * Reads are not audited; bodies never are.
 */
@Component
class AuditInterceptor implements HandlerInterceptor, WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final Set<String> CHANGES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final AuditLog audit;

    AuditInterceptor(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).addPathPatterns("/v1/**").order(Ordered.HIGHEST_PRECEDENCE);
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (!CHANGES.contains(request.getMethod())) {
            return;
        }
        Caller caller = Caller.of(request).orElse(null);
        if (caller == null) {
            return; // refused by authentication: nobody to name
        }
        String route = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE) instanceof String p
                ? p : request.getRequestURI();
        Map<?, ?> variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> m
                ? m : Map.of();
        String target = lastVariable(route, variables);
        if (target == null) {
            target = fromLocation(response);
        }
        UUID tenant = caller.tenantId() != null ? caller.tenantId() : tenantInRoute(route, variables);
        try {
            audit.record(caller.isOperator() ? "operator" : "api-key", caller.keyId(), tenant,
                    request.getMethod() + " " + route, target, response.getStatus(), RequestIds.of(request));
        } catch (RuntimeException e) {
            // The change is done and answered; a lost audit row must at least be loud.
            log.error("cannot record audit event for {} {} ({})", request.getMethod(), route, response.getStatus(), e);
        }
    }

    /** The value of the route's last variable ({@code /v1/databases/{id}/suspend}: the database), if it has one. */
    private static String lastVariable(String route, Map<?, ?> variables) {
        int open = route.lastIndexOf('{');
        int close = route.indexOf('}', open);
        if (open < 0 || close < 0) {
            return null;
        }
        Object value = variables.get(route.substring(open + 1, close));
        return value == null ? null : String.valueOf(value);
    }

    /** The last segment of the answer's Location: what a create made (or the operation tracking it). */
    private static String fromLocation(HttpServletResponse response) {
        String location = response.getHeader("Location");
        if (location == null || location.isBlank()) {
            return null;
        }
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** An operator acting under /v1/tenants/{tenantId}/... acts on that tenant: the event is that tenant's too. */
    private static UUID tenantInRoute(String route, Map<?, ?> variables) {
        if (!route.startsWith("/v1/tenants/{") || variables.isEmpty()) {
            return null;
        }
        String name = route.substring("/v1/tenants/{".length(), route.indexOf('}'));
        try {
            return UUID.fromString(String.valueOf(variables.get(name)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
