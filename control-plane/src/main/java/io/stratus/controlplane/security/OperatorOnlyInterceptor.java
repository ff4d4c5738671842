package io.stratus.controlplane.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Enforces {@link OperatorOnly} ahead of every other interceptor and of argument resolution, where request bodies
 * are parsed and validated.
 */
@Configuration(proxyBeanMethods = false)
class OperatorOnlyInterceptor implements HandlerInterceptor, WebMvcConfigurer {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (handler instanceof HandlerMethod method && isOperatorOnly(method)) {
            ApiKeyAuthenticationFilter.callerOf(request).requireOperator();
        }
        return true;
    }

    /** Whether {@code method} answers only the operator key. */
    static boolean isOperatorOnly(HandlerMethod method) {
        return method.hasMethodAnnotation(OperatorOnly.class)
                || method.getBeanType().isAnnotationPresent(OperatorOnly.class);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        // Right after the audit's, so a refused attempt is still recorded.
        registry.addInterceptor(this).order(Ordered.HIGHEST_PRECEDENCE + 1);
    }
}
