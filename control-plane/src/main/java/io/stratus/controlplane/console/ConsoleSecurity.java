package io.stratus.controlplane.console;

import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * Spring Security for the console, and for nothing else (ADR 0016). Its filter runs only on {@code /console} and
 * below, so the API's requests never meet it (its firewall, headers or sessions): {@code /v1} keeps its bearer filters
 * and answers exactly as before. On the console: form login ({@link ConsoleLogin}), a session cookie scoped to
 * {@code /console} ({@code HttpOnly}, {@code SameSite=Strict}, the idle timeout in {@code server.servlet.session}, an
 * absolute lifetime in {@link ConsoleSettings#sessionMaxAge()}), CSRF
 * tokens on every change, logout, and a content security policy that lets the pages load only their own scripts.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
class ConsoleSecurity {

    static final String LOGIN = "/console/login";
    /** The session cookie (server.servlet.session.cookie.name), sent to /console only. */
    static final String COOKIE = "STRATUS_CONSOLE";

    @Bean
    SecurityFilterChain consoleFilterChain(HttpSecurity http, ConsoleSettings settings, Clock clock) throws Exception {
        http.securityMatcher("/console", "/console/**")
                .addFilterBefore(new SessionLifetime(settings.sessionMaxAge(), clock), SecurityContextHolderFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(LOGIN, "/console/assets/**").permitAll()
                        .anyRequest().hasAuthority(ConsoleLogin.ROLE))
                .formLogin(f -> f.loginPage(LOGIN).loginProcessingUrl(LOGIN)
                        .defaultSuccessUrl("/console/fleet", true).failureUrl(LOGIN + "?error"))
                .logout(l -> l.logoutUrl("/console/logout").logoutSuccessUrl(LOGIN + "?logout")
                        .deleteCookies(COOKIE))
                // A live list polling after the session ended gets a redirect htmx follows with the whole page, rather
                // than the login form swapped into the table.
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor((request, response, failure) -> {
                    response.setHeader("HX-Redirect", LOGIN + "?expired");
                    response.setStatus(401);
                }, request -> request.getHeader("HX-Request") != null))
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()))
                .headers(h -> h
                        .contentSecurityPolicy(c -> c.policyDirectives("default-src 'self'; script-src 'self'; "
                                + "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                                + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /**
     * Spring Boot registers Spring Security's filter for every path; the API must not pass through it (its firewall
     * alone would answer some odd paths differently), so it is moved to the console's paths.
     */
    @Bean
    static BeanPostProcessor securityFilterOnConsoleOnly() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof DelegatingFilterProxyRegistrationBean registration) {
                    registration.setUrlPatterns(List.of("/console", "/console/*"));
                }
                return bean;
            }
        };
    }
}
