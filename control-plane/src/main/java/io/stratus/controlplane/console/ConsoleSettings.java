package io.stratus.controlplane.console;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator console's settings.
 *
 * @param users        optional operator users beside the operator key: name to password hash in Spring Security's
 *                     {@code {id}hash} form, e.g. {@code {bcrypt}$2a$10$...} (never a plain password); empty by default
 * @param secureCookie whether the session cookie is {@code Secure} (only sent over HTTPS): set it behind TLS
 */
@ConfigurationProperties("stratus.console")
record ConsoleSettings(@DefaultValue Map<String, String> users) {
}
