package io.stratus.agent.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutageTests {

    @Test
    void warnsOnceAnOutageAndSaysHowLongItLastedWhenItEnds() {
        Logger logger = (Logger) LoggerFactory.getLogger("outage-test");
        logger.setLevel(Level.DEBUG);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        Outage outage = new Outage(logger, "send status");

        outage.succeeded();
        outage.failed("connection refused");
        outage.failed("connection refused");
        outage.failed("timed out");
        outage.succeeded("3 pending");
        outage.failed("connection refused");

        assertThat(events.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage).containsExactly(
                tuple(Level.WARN, "cannot send status: connection refused"),
                tuple(Level.DEBUG, "cannot send status (attempt 2): connection refused"),
                tuple(Level.DEBUG, "cannot send status (attempt 3): timed out"),
                tuple(Level.INFO, "send status: working again after 3 failed attempts (3 pending)"),
                tuple(Level.WARN, "cannot send status: connection refused"));
    }
}
