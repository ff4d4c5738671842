package io.stratus.controlplane.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Refuses a body sent to an endpoint that takes none (suspend, resume, delete, reset-password): Spring would ignore
 * it, and a client that sends {@code {"force": true}} to suspend must learn that nothing of it was understood, as it
 * would for an unknown field anywhere else. An empty body or an empty JSON object is fine.
 */
@Configuration(proxyBeanMethods = false)
class NoBodyExpected implements HandlerInterceptor, WebMvcConfigurer {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws IOException {
        if (!(handler instanceof HandlerMethod method) || takesBody(method) || "GET".equals(request.getMethod())) {
            return true;
        }
        // Bounded by RequestSizeLimitFilter.
        String body = new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!body.isEmpty() && !body.replaceAll("\\s", "").equals("{}")) {
            throw ApiException.invalid("body", "this endpoint takes no body (unknown fields are rejected)");
        }
        return true;
    }

    private static boolean takesBody(HandlerMethod method) {
        return Arrays.stream(method.getMethodParameters()).anyMatch(p -> p.hasParameterAnnotation(RequestBody.class));
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }
}
