package io.stratus.controlplane.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.controlplane.security.ApiKeys;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;

/**
 * The console's Spring Security stays on {@code /console}: the API answers as it did, and only the operator signs in.
 * The browser scenarios (sessions, CSRF, cookies) are in the e2e module's {@code ConsoleBrowserTests}.
 */
class ConsoleSecurityTests extends ControlPlaneTest {

    @Autowired
    ConsoleLogin login;

    @Autowired
    ApiKeys apiKeys;

    @Test
    void theApiNeverMeetsTheConsolesFilterChain() {
        var ok = api().get(OPERATOR_KEY, "/v1/tenants");
        var refused = api().get(null, "/v1/tenants");
        for (var r : java.util.List.of(ok, refused)) {
            // Spring Security would add these (and a session); the API's answers carry neither.
            assertThat(r.headers()).doesNotContainKeys("set-cookie", "x-frame-options", "content-security-policy");
        }
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        // What the console's chain would refuse on its own (Spring Security's firewall rejects a ';' in a path), the
        // API answers as it answers the path without it: the chain is not in front of it.
        var odd = api().get(OPERATOR_KEY, "/v1/tenants;x=1");
        assertThat(odd.status()).as(odd.raw()).isEqualTo(ok.status());
    }

    @Test
    void consolePagesAreNotInTheOpenApiDocument() {
        assertThat(api().get(null, "/v3/api-docs").raw()).doesNotContain("/console");
    }

    @Test
    void aConsolePageWithoutASessionSendsTheBrowserToSignIn() {
        var page = api().send(null, "GET", "/console/fleet", null, Map.of("Accept", "text/html"));
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.headers().get("location")).singleElement().asString().endsWith("/console/login");
        var poll = api().send(null, "GET", "/console/fleet/live", null, Map.of("HX-Request", "true"));
        assertThat(poll.status()).isEqualTo(401);
        assertThat(poll.headers().get("hx-redirect")).containsExactly("/console/login?expired");
    }

    @Test
    void theOperatorKeySignsInAndATenantsKeysDoNot() {
        var signedIn = login.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("", OPERATOR_KEY));
        assertThat(signedIn.getPrincipal()).isInstanceOfSatisfying(ConsoleOperator.class, o -> {
            assertThat(o.name()).isEqualTo("operator");
            assertThat(o.keyId()).isNotNull();
        });
        assertThat(signedIn.getAuthorities()).extracting(Object::toString).containsExactly(ConsoleLogin.ROLE);

        TestTenant tenant = newTenant();
        for (String key : new String[] {tenant.adminKey(), tenant.readKey(), "stk_nothing-anyone-issued-0123456789", ""}) {
            assertThatThrownBy(() -> login.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("", key)))
                    .isInstanceOf(BadCredentialsException.class);
        }
    }

    @Test
    void aConfiguredUserSignsInWithItsPasswordOnly() {
        String hash = PasswordEncoderFactories.createDelegatingPasswordEncoder().encode("correct horse battery");
        ConsoleLogin withUsers = new ConsoleLogin(apiKeys, new ConsoleSettings(Map.of("alice", hash,
                "mallory", "plain-text-is-no-hash"), java.time.Duration.ofHours(12)));

        var alice = withUsers.authenticate(UsernamePasswordAuthenticationToken.unauthenticated("alice", "correct horse battery"));
        assertThat(alice.getPrincipal()).isEqualTo(new ConsoleOperator("operator:alice", null));
        for (String[] attempt : new String[][] {{"alice", "wrong"}, {"bob", "correct horse battery"},
                {"mallory", "plain-text-is-no-hash"}, {"alice", OPERATOR_KEY}}) {
            assertThatThrownBy(() -> withUsers.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated(attempt[0], attempt[1])))
                    .as("%s / %s", attempt[0], attempt[1]).isInstanceOf(BadCredentialsException.class);
        }
    }
}
