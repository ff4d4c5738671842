package io.stratus.controlplane.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every API answer says not to store it ({@code Cache-Control: no-store}: some carry a new API key or a database
 * password, and no answer is worth a proxy's or a browser's cache) and not to sniff it
 * ({@code X-Content-Type-Options: nosniff}: JSON is never to be run as a script or rendered as a page). Set before
 * anything else runs, so the problems written by filters carry them too, and again on the container's error dispatch
 * (a TRACE it refused never reached the filters before).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class NoStoreHeaders extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        chain.doFilter(request, response);
    }
}
