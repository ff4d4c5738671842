package io.stratus.controlplane.agentapi;

import io.stratus.controlplane.fleet.Fleet;
import io.stratus.controlplane.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code /agent/**}: registration with the bootstrap token, everything else with the node's own
 * credential, which only works for that node's paths. Tenant and operator API keys are never accepted here.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class AgentAuthenticationFilter extends OncePerRequestFilter {

    static final String NODE_ID = "stratus.nodeId";

    private final AgentBootstrapToken bootstrapToken;
    private final Fleet fleet;

    AgentAuthenticationFilter(AgentBootstrapToken bootstrapToken, Fleet fleet) {
        this.bootstrapToken = bootstrapToken;
        this.fleet = fleet;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/agent/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String token = bearer(request);
        String path = request.getRequestURI();
        if ("POST".equals(request.getMethod()) && path.equals("/agent/v1/nodes")) {
            if (!bootstrapToken.matches(token)) {
                deny(response);
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        Optional<UUID> node = fleet.authenticate(token);
        if (node.isEmpty() || !path.startsWith("/agent/v1/nodes/" + node.get() + "/")) {
            deny(response);
            return;
        }
        request.setAttribute(NODE_ID, node.get());
        chain.doFilter(request, response);
    }

    private static void deny(HttpServletResponse response) throws IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"stratus-agent\"");
        Problems.write(response, 401, "unauthorized", "Unauthorized", "a valid node credential is required");
    }

    private static String bearer(HttpServletRequest request) {
        String h = request.getHeader(HttpHeaders.AUTHORIZATION);
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
    }
}
