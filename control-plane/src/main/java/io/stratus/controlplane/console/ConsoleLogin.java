package io.stratus.controlplane.console;

import io.stratus.controlplane.security.ApiKeys;
import io.stratus.controlplane.security.Caller;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Signs the operator in: with the operator key (user name left empty), looked up as the API looks it up, or as a
 * configured operator user whose password matches its hash. A tenant's key is refused like a wrong one: the console is
 * the operator's only, and the answer says no more than "not signed in".
 */
@Component
class ConsoleLogin implements AuthenticationProvider {

    static final String ROLE = "ROLE_OPERATOR";
    private static final String REFUSED = "that is not the operator key, or not a console user and its password";

    private final ApiKeys apiKeys;
    private final ConsoleSettings settings;
    private final PasswordEncoder passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    /** A hash of nothing anyone types, checked when the user name is unknown. */
    private final String dummyHash = passwords.encode(java.util.UUID.randomUUID().toString());

    ConsoleLogin(ApiKeys apiKeys, ConsoleSettings settings) {
        this.apiKeys = apiKeys;
        this.settings = settings;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String user = authentication.getName() == null ? "" : authentication.getName().strip();
        String secret = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString().strip();
        ConsoleOperator operator = (user.isEmpty() || user.equals("operator") ? byKey(secret) : byUser(user, secret))
                .orElseThrow(() -> new BadCredentialsException(REFUSED));
        return UsernamePasswordAuthenticationToken.authenticated(operator, null,
                List.of(new SimpleGrantedAuthority(ROLE)));
    }

    private Optional<ConsoleOperator> byKey(String secret) {
        return apiKeys.authenticate(secret).filter(Caller::isOperator)
                .map(caller -> new ConsoleOperator("operator", caller.keyId()));
    }

    private Optional<ConsoleOperator> byUser(String user, String password) {
        String hash = settings.users().get(user);
        if (hash == null) {
            // The same work as a real check, so that timing does not tell which names exist.
            passwords.matches(password, dummyHash);
            return Optional.empty();
        }
        try {
            return passwords.matches(password, hash) ? Optional.of(new ConsoleOperator("operator:" + user, null))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a hash without a known {id}: nobody can sign in with it
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
