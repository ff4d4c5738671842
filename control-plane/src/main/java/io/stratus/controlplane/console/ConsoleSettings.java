package io.stratus.controlplane.console;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator console's settings. The idle timeout of a session is {@code server.servlet.session.timeout}
 * ({@code STRATUS_CONSOLE_SESSION_TIMEOUT}, 30 minutes).
 *
 * @param users          optional operator users beside the operator key: name to password hash in Spring Security's
 *                       {@code {id}hash} form, e.g. {@code {bcrypt}$2a$10$...} (never a plain password); none by default
 * @param sessionMaxAge  how long a session lasts however busy it is (12 hours): an open console polls every few
 *                       seconds, which alone would keep it from ever timing out
 */
@ConfigurationProperties("stratus.console")
record ConsoleSettings(@DefaultValue Map<String, String> users, @DefaultValue("12h") Duration sessionMaxAge) {

    ConsoleSettings {
        if (sessionMaxAge.isNegative() || sessionMaxAge.isZero()) {
            throw new IllegalArgumentException("stratus.console.session-max-age must be positive");
        }
    }
}
