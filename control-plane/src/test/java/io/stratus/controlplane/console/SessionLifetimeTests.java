package io.stratus.controlplane.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;

class SessionLifetimeTests {

    private static final Duration MAX_AGE = Duration.ofHours(12);

    @Test
    void aSessionOlderThanItsLifetimeIsEndedHoweverBusy() throws Exception {
        MockHttpSession session = new MockHttpSession();
        session.access(); // polled a second ago: busy, yet too old
        run(session, Clock.offset(Clock.systemUTC(), MAX_AGE.plusMinutes(1)));
        assertThat(session.isInvalid()).isTrue();
    }

    @Test
    void aSessionWithinItsLifetimeIsKept() throws Exception {
        MockHttpSession session = new MockHttpSession();
        run(session, Clock.offset(Clock.systemUTC(), MAX_AGE.minusMinutes(1)));
        assertThat(session.isInvalid()).isFalse();
    }

    private static void run(MockHttpSession session, Clock clock) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/console/fleet");
        request.setSession(session);
        MockFilterChain chain = new MockFilterChain();
        new SessionLifetime(MAX_AGE, clock).doFilter(request, new MockHttpServletResponse(), chain);
        assertThat(chain.getRequest()).as("the request goes on, to sign-in if its session ended").isNotNull();
    }
}
